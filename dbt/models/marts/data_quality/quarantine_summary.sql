-- Per feed, region and reason category: the records quarantined. The reason text holds
-- variable parts (values, line numbers, column positions), so rows are grouped by a
-- normalised category "<field>: <rule>" that names the field and the rule only:
--   1. a row failing several rules ("A: rule; B: rule") counts under its first one
--      (the quarantine's `field` names that one too);
--   2. the field prefix (for a ZIP member: its name) is dropped from the text, then
--      everything after the rule's own first colon (the detail, where values live);
--   3. quoted text becomes …, digits become N.
-- A wholly rejected file is one quarantine row standing for all its records: it counts
-- the ledger's rows_quarantined for the file, so the totals equal the ledger's.
with quarantine as (

    select * from {{ ref('stg_lake__quarantine') }}

),

ledger as (

    select file_hash, rows_quarantined
    from {{ ref('stg_lake__ledger') }}
    where status <> 'superseded'

),

categorised as (

    select
        quarantine.feed,
        quarantine.region_code,
        coalesce(quarantine.field, '(file)') as field,
        split_part(quarantine.reason, '; ', 1) as first_reason,
        case
            when quarantine.is_whole_file then coalesce(ledger.rows_quarantined, 1)
            else 1
        end as records
    from quarantine
    left join ledger on ledger.file_hash = quarantine.file_hash

),

ruled as (

    select
        *,
        trim(split_part(
            case
                when starts_with(first_reason, field || ': ')
                    then substr(first_reason, length(field) + 3)
                -- a ZIP member's reason starts with the member's (variable) name
                when field = '(member)' and contains(first_reason, ': ')
                    then substr(first_reason, strpos(first_reason, ': ') + 2)
                else first_reason
            end, ':', 1)) as rule_text
    from categorised

)

select
    feed,
    region_code,
    field || ': ' || regexp_replace(
        regexp_replace(
            regexp_replace(rule_text, '''[^'']*''|"[^"]*"', '…', 'g'),
            '[0-9]+', 'N', 'g'),
        '\s+', ' ', 'g')                as reason,
    sum(records)::bigint               as rows_quarantined,
    count(*)::bigint                   as quarantine_entries
from ruled
group by all
