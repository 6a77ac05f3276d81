{#- Residents who used a 1177 booking e-service in the month (any event with a
    resident) / residents in the population, by region × month × age band. A
    resident counts once a month, in the region and age band of their first event
    that month. The population is the latest delivery of the latest year up to the
    month's year (else the earliest year delivered), summed over sex; every
    region and age band of the population has a row for every month with
    e-service events. -#}
with events as (

    select * from {{ ref('int_eservice__events') }}
    where resident_pseudonym is not null and region_code is not null

),

users as (

    select month, resident_pseudonym, region_code, age_band
    from events
    qualify row_number() over (
        partition by month, resident_pseudonym order by event_time, event_id
    ) = 1

),

population_rows as (

    select *
    from {{ ref('stg_lake__population') }}
    qualify rank() over (
        partition by region_code, population_year order by delivery_date desc
    ) = 1

),

population as (

    select region_code, population_year, age_band, cast(sum(residents) as bigint) as residents
    from population_rows
    group by 1, 2, 3

),

months as (

    select distinct month from events

),

month_years as (

    select
        months.month,
        coalesce(
            max(case when years.population_year <= year(months.month) then years.population_year end),
            min(years.population_year)
        ) as population_year
    from months
    cross join (select distinct population_year from population) as years
    group by 1

),

denominators as (

    select month_years.month, population.region_code, population.age_band, population.residents
    from month_years
    inner join population on population.population_year = month_years.population_year

),

numerators as (

    select month, region_code, age_band, cast(count(*) as bigint) as users
    from users
    group by 1, 2, 3

),

joined as (

    select
        coalesce(denominators.region_code, numerators.region_code) as region_code,
        coalesce(denominators.month, numerators.month) as month,
        coalesce(denominators.age_band, numerators.age_band) as age_band,
        coalesce(numerators.users, 0) as numerator,
        coalesce(denominators.residents, 0) as denominator
    from denominators
    full outer join numerators
        on numerators.month = denominators.month
        and numerators.region_code = denominators.region_code
        and numerators.age_band = denominators.age_band

)

select
    region_code,
    month,
    age_band,
    cast(numerator as bigint) as numerator,
    cast(denominator as bigint) as denominator,
    {{ safe_rate('numerator', 'denominator') }} as rate
from joined
