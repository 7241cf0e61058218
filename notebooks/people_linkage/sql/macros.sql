-- Cleaning rules that every source shares, as DuckDB macros.

-- Names: lower case, letters, spaces and hyphens only (O'Brien and OBRIEN both become
-- obrien), no space around a hyphen, single spaces; a name with no letter becomes null.
create or replace macro clean_name(value) as case
    when regexp_matches(lower(value), '[a-z]') then trim(regexp_replace(regexp_replace(regexp_replace(
        lower(value), '[^a-z\- ]', '', 'g'), '\s*-\s*', '-', 'g'), '\s+', ' ', 'g'))
end;

-- The first word of a name field, for systems that keep all forenames in one column.
create or replace macro first_word(value) as split_part(trim(value), ' ', 1);

-- Dates of birth as ISO text (YYYY-MM-DD), from the format the source uses.
create or replace macro iso_date(value, format) as strftime(try_strptime(nullif(trim(value), ''), format), '%Y-%m-%d');

-- Postcodes in capitals with one space before the inward code (ls164bt becomes LS16 4BT);
-- anything that is not then a valid UK postcode becomes null.
create or replace macro compact_postcode(value) as upper(regexp_replace(coalesce(value, ''), '\s', '', 'g'));
create or replace macro clean_postcode(value) as case
    when regexp_full_match(compact_postcode(value), '[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}')
        then regexp_replace(compact_postcode(value), '([0-9][A-Z]{2})$', ' \1')
end;

-- PNC numbers in their full form, YYYY/NNNNNNNC: the short form 09/123456X becomes
-- 2009/0123456X (two-digit years above 30 are in the 1900s). Anything else becomes null.
create or replace macro pnc_parts(value) as regexp_extract(
    upper(trim(coalesce(value, ''))), '^([0-9]{2}|[0-9]{4})/([0-9]{1,7})([A-Z])$', ['year', 'serial', 'check']
);
create or replace macro pnc_year(year) as case
    when length(year) = 4 then year
    when try_cast(year as int) > 30 then '19' || year
    else '20' || year
end;
create or replace macro clean_pnc(value) as case
    when pnc_parts(value).year <> ''
        then pnc_year(pnc_parts(value).year) || '/' || lpad(pnc_parts(value).serial, 7, '0') || pnc_parts(value).check
end;

-- Sex as M or F, from M, F, Male or Female in any case; anything else (NK, Not Known, U) is null.
create or replace macro clean_sex(value) as case
    when upper(trim(value)) in ('M', 'MALE') then 'M'
    when upper(trim(value)) in ('F', 'FEMALE') then 'F'
end;
