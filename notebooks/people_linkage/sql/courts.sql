-- Courts defendants. Forenames hold the first name and any middle names; dates are
-- DD/MM/YYYY; gender is M, F or blank; the PNC number is often missing or in its short form.
select
    defendant_id as unique_id,
    'courts' as source_dataset,
    clean_name(first_word(forenames)) as first_name,
    clean_name(surname) as last_name,
    iso_date(date_of_birth, '%d/%m/%Y') as dob,
    case upper(trim(gender)) when 'M' then 'M' when 'F' then 'F' end as sex,
    clean_postcode(address_postcode) as postcode,
    clean_pnc(pnc_id) as pnc
from courts
