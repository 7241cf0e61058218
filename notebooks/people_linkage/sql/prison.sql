-- Prisoners (NOMIS-like). Names are in capitals without apostrophes; dates are ISO;
-- sex is M, F or NK (not known).
select
    prisoner_number as unique_id,
    'prison' as source_dataset,
    clean_name(first_name) as first_name,
    clean_name(last_name) as last_name,
    iso_date(birth_date, '%Y-%m-%d') as dob,
    case upper(trim(sex_code)) when 'M' then 'M' when 'F' then 'F' end as sex,
    clean_postcode(home_postcode) as postcode,
    clean_pnc(pnc_number) as pnc
from prison
