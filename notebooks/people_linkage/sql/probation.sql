-- People on probation (nDelius-like). Dates are like 14-MAR-1985; gender is Male,
-- Female or Not Known.
select
    crn as unique_id,
    'probation' as source_dataset,
    clean_name(first_name) as first_name,
    clean_name(surname) as last_name,
    iso_date(date_of_birth, '%d-%b-%Y') as dob,
    case lower(trim(gender)) when 'male' then 'M' when 'female' then 'F' end as sex,
    clean_postcode(postcode) as postcode,
    clean_pnc(pnc_number) as pnc
from probation
