"""The life of every booking in one region: made, maybe moved or cancelled, then kept or missed.

A care episode ("chain") starts with a booking; the patient may rebook it (a new
booking id pointing back with `Ombokad från`) up to a few times; the last
booking of the chain is cancelled by the patient or the clinic, or reaches its
start and is attended or missed. Everything is drawn in bulk with numpy, one
generation of rebookings at a time, so a million bookings take seconds.

Times are whole minutes since 1970-01-01 in Swedish local time (the feeds carry
local times without offset), which makes "strictly later" exact at the
minute resolution the CSV feed has.

The rollout (rollout.py) acts on bookings through the parameters `digital_shift`
and `planted_effects`; slots freed by cancellations are refilled by other
residents. Those draws, and the late outcomes of the messy-data setting, come
from a second random stream, so the main stream draws the same numbers whatever
their parameters are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from simulator.care_catalogue import (
    CHANNEL_INDEX,
    CHANNELS,
    CONTACT_INDEX,
    LEAD_TIME_BANDS,
    PATIENT_CANCEL_REASONS,
    PROVIDER_CANCEL_REASONS,
    REMINDERS,
    SERVICE_INDEX,
    SERVICES,
    TIME_TYPES,
    UNIT_TYPES,
)
from simulator.no_show import lead_time_band, no_show_probability
from simulator.parameters import WorldParameters
from simulator.regions import RegionProfile
from simulator.residents import screening_eligible
from simulator.rollout import Rollout

MINUTES_PER_DAY = 1440
# Fates: what finally happened to a booking (known or not yet known at the cutoff).
REBOOKED, CANCELLED_BY_PATIENT, CANCELLED_BY_PROVIDER, ATTENDED, NO_SHOW = range(5)
FATES = ("rebooked", "cancelled_by_patient", "cancelled_by_provider", "attended", "no_show")
NONE = -1  # "no time" / "no code" in integer columns

_ESERVICE = CHANNEL_INDEX["eservice"]
_PHONE = CHANNEL_INDEX["phone"]
_FRONT_DESK = CHANNEL_INDEX["front_desk"]
_STAFF = CHANNEL_INDEX["staff"]
_INVITATION = CHANNEL_INDEX["invitation"]
_DIGITAL_HOURS = {CHANNEL_INDEX["eservice"], CHANNEL_INDEX["third_party_app"]}
_REMINDER = {code: i for i, code in enumerate(REMINDERS)}
_TIME_TYPE_CONTACT = np.array([CONTACT_INDEX[t.contact] for t in TIME_TYPES])
_TIME_TYPE_MINUTES = np.array([t.minutes for t in TIME_TYPES])
_BAND_DAYS = np.array([[first, last] for _, first, last in LEAD_TIME_BANDS])


def weekday(day: np.ndarray) -> np.ndarray:
    """0 = Monday; 1970-01-01 was a Thursday."""
    return (day + 3) % 7


@dataclass(frozen=True)
class RegionInputs:
    """What one region's booking simulation needs from the rest of the world."""

    profile: RegionProfile
    units: pl.DataFrame  # the region's care units (unit_idx, unit_type, capacity, ...)
    service_tidbok: np.ndarray  # (all units, services) -> index into the Tidbok HSA-ids
    residents: pl.DataFrame  # the region's residents
    chains: int  # care episodes whose first booking is made in the period
    first_day: int  # period start, days since 1970-01-01
    last_day: int  # period end (inclusive): the knowledge cutoff is its 23:59
    rollout: Rollout
    late_outcome_rate: float = 0.0  # messy data: outcomes registered 11-40 days late
    id_base: int | None = None  # continue booking numbers after an earlier chunk
    referral_base: int = 0  # continue referral numbers after an earlier chunk


def simulate_region_bookings(inputs: RegionInputs, params: WorldParameters,
                             rng: np.random.Generator,
                             aux_rng: np.random.Generator) -> pl.DataFrame:
    """Every booking of the region made on or before the cutoff, one row each.

    `rng` draws the bookings; `aux_rng` the effects of the rollout, slot refills and
    late outcomes."""
    sim = _RegionSimulation(inputs, params, rng, aux_rng)
    first = sim.first_bookings()
    generations = [first]
    current = first
    for generation in range(params.max_rebookings + 1):
        rebooked = sim.decide_fates(current, allow_rebooking=generation < params.max_rebookings)
        if rebooked is None:
            break
        current = rebooked
        generations.append(current)
    refills = sim.refills(generations)
    return sim.finish(generations, refills)


class _RegionSimulation:
    def __init__(self, inputs: RegionInputs, params: WorldParameters, rng: np.random.Generator,
                 aux_rng: np.random.Generator):
        self.inputs = inputs
        self.params = params
        self.rng = rng
        self.aux = aux_rng
        self.rollout = inputs.rollout
        self.profile = inputs.profile
        self.cutoff = (inputs.last_day + 1) * MINUTES_PER_DAY - 1
        units = inputs.units
        self.unit_idx = units["unit_idx"].to_numpy()
        self.unit_type = np.array([[u.key for u in UNIT_TYPES].index(k)
                                   for k in units["unit_type"]], dtype=np.int64)
        self.unit_specialist = units["specialist_care"].to_numpy()
        self.residents = inputs.residents
        self.resident_idx = self.residents["resident_idx"].to_numpy()
        self.resident_age_band = self.residents["age_band_idx"].to_numpy()
        self.next_chain = 0
        self.offsets = [0]  # first global row of each generation
        primary, specialist = self.profile.late_threshold_hours
        self.threshold_minutes = np.where(self.unit_specialist, specialist, primary) * 60

    # --- first bookings -------------------------------------------------------------
    def first_bookings(self) -> dict[str, np.ndarray]:
        rng, n = self.rng, self.inputs.chains
        capacity = self.inputs.units["capacity"].to_numpy()
        local_unit = rng.choice(len(capacity), size=n, p=capacity / capacity.sum())
        service = self._services(local_unit)
        time_type = self._time_types(local_unit, service)
        channel = self._channels(service)
        booked_at = self._booking_times(channel, service)
        band_rows = np.where(channel == _INVITATION, len(SERVICES), service)
        start_at = self._schedule(booked_at, band_rows)
        channel, shifted = self._digital_shift(channel, local_unit, booked_at, "booking")
        resident = self._residents(service)
        referral = rng.random(n) < np.array(
            [self.params.referral_share[s] for s in SERVICES])[service]
        booking = {
            "chain": np.arange(n, dtype=np.int64),
            "generation": np.zeros(n, dtype=np.int64),
            "previous": np.full(n, NONE, dtype=np.int64),  # row of the booking it replaced
            "local_unit": local_unit,
            "service": service,
            "time_type": time_type,
            "channel": channel,
            "booked_at": booked_at,
            "start_at": start_at,
            "resident": resident,
            "referral": referral,
            "dash": rng.random(n) < self.profile.personnummer_dash_share,
            "shifted": shifted,
            "refill_of": np.full(n, NONE, dtype=np.int64),
        }
        booking["reminder"] = self._reminders(booking)
        self.offsets.append(n)
        return booking

    def _live(self, local_unit: np.ndarray, service: str, minute: np.ndarray) -> np.ndarray:
        return self.rollout.live(self.unit_idx[local_unit], service, minute)

    def _digital_shift(self, channel: np.ndarray, local_unit: np.ndarray, at: np.ndarray,
                       action: str) -> tuple[np.ndarray, np.ndarray]:
        """Move phone and front-desk actions to 1177 at units live on the action's service."""
        shift = self.params.digital_shift[action]
        months = self.rollout.months_live(self.unit_idx[local_unit], shift["service"], at)
        ramp = np.minimum(1.0, months / shift["ramp_months"]) if shift["ramp_months"] > 0 else (
            months > 0).astype(float)
        live = self._live(local_unit, shift["service"], at)
        ramp = np.where(live, np.maximum(ramp, 1e-9), 0.0)
        u = self.aux.random(len(channel))
        movable = (channel == _PHONE) | (channel == _FRONT_DESK)
        shifted = movable & (u < shift["uplift"] * ramp)
        return np.where(shifted, _ESERVICE, channel), shifted

    def _services(self, local_unit: np.ndarray) -> np.ndarray:
        service = np.empty(len(local_unit), dtype=np.int64)
        types = self.unit_type[local_unit]
        for t, unit_type in enumerate(UNIT_TYPES):
            rows = np.flatnonzero(types == t)
            codes = [SERVICE_INDEX[s] for s in unit_type.service_mix]
            p = np.array(list(unit_type.service_mix.values()))
            service[rows] = self.rng.choice(codes, size=len(rows), p=p / p.sum())
        return service

    def _time_types(self, local_unit: np.ndarray, service: np.ndarray) -> np.ndarray:
        time_type = np.empty(len(service), dtype=np.int64)
        types = self.unit_type[local_unit]
        for t, unit_type in enumerate(UNIT_TYPES):
            for s, code in enumerate(SERVICES):
                rows = np.flatnonzero((types == t) & (service == s))
                if not len(rows):
                    continue
                allowed = unit_type.time_type_override.get(code)
                candidates = [i for i, tt in enumerate(TIME_TYPES)
                              if tt.service == code and (allowed is None or tt.code in allowed)]
                p = np.array([TIME_TYPES[i].weight for i in candidates])
                time_type[rows] = self.rng.choice(candidates, size=len(rows), p=p / p.sum())
        return time_type

    def _channels(self, service: np.ndarray) -> np.ndarray:
        channel = np.empty(len(service), dtype=np.int64)
        for s, code in enumerate(SERVICES):
            rows = np.flatnonzero(service == s)
            mix = self.params.channel_mix[code]
            digital = min(self.params.max_digital_share, self.params.digital_share
                          * mix["digital_factor"] * self.profile.digital_multiplier)
            others = np.array([0.0 if c == "eservice" else mix[c] for c in CHANNELS])
            p = others / others.sum() * (1.0 - digital)
            p[_ESERVICE] = digital
            channel[rows] = self.rng.choice(len(CHANNELS), size=len(rows), p=p)
        return channel

    def _booking_times(self, channel: np.ndarray, service: np.ndarray) -> np.ndarray:
        """When each first booking is made: a day of the period, then a minute of the day."""
        days = np.arange(self.inputs.first_day, self.inputs.last_day + 1)
        month = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12
        weekend = weekday(days) >= 5
        season = np.array(self.params.monthly_volume_factor)[month]
        vaccination_season = np.array(self.params.vaccination_monthly_factor)[month]
        booked_at = np.empty(len(channel), dtype=np.int64)
        is_vaccination = service == SERVICE_INDEX["VACCINATION"]
        for c, code in enumerate(CHANNELS):
            day_factor = np.where(weekend, self.params.weekend_factor[code], 1.0) * season
            profile = self.params.booking_hour_profile[
                "eservice" if c in _DIGITAL_HOURS else "office"]
            hour_p = np.array(profile) / sum(profile)
            for vaccination in (False, True):
                rows = np.flatnonzero((channel == c) & (is_vaccination == vaccination))
                if not len(rows):
                    continue
                weights = day_factor * (vaccination_season if vaccination else 1.0)
                day = self.rng.choice(days, size=len(rows), p=weights / weights.sum())
                hour = self.rng.choice(24, size=len(rows), p=hour_p)
                minute = self.rng.integers(0, 60, size=len(rows))
                booked_at[rows] = day * MINUTES_PER_DAY + hour * 60 + minute
        return booked_at

    def _schedule(self, booked_at: np.ndarray, band_rows: np.ndarray) -> np.ndarray:
        """Visit start for bookings made at `booked_at`; band_rows picks the lead-time
        distribution (a SERVICES index, or len(SERVICES) for invitations)."""
        rng, n = self.rng, len(booked_at)
        table = self.params.lead_time_band_probabilities
        band_p = np.array([table[s] for s in SERVICES] + [table["invitation"]])
        band = np.empty(n, dtype=np.int64)
        for row in np.unique(band_rows):
            rows = np.flatnonzero(band_rows == row)
            p = band_p[row] / band_p[row].sum()
            band[rows] = rng.choice(len(LEAD_TIME_BANDS), size=len(rows), p=p)
        low, high = _BAND_DAYS[band, 0], _BAND_DAYS[band, 1]
        lead = low + (rng.random(n) * (high - low + 1)).astype(np.int64)

        first_slot, last_slot, step = self.params.visit_hours
        booked_day = booked_at // MINUTES_PER_DAY
        booked_minute = booked_at % MINUTES_PER_DAY
        day = _next_weekday(booked_day + lead)
        # Same day: the first slot at least the minimum notice after the booking.
        notice = booked_minute + self.params.same_day_min_notice_minutes
        earliest = np.where(day == booked_day, -(-notice // step) * step, first_slot)
        earliest = np.maximum(earliest, first_slot)
        # Nothing left today: the first slot of the next weekday.
        full = earliest > last_slot
        day = np.where(full, _next_weekday(booked_day + 1), day)
        earliest = np.where(full, first_slot, earliest)
        slots = (last_slot - earliest) // step + 1
        slot = earliest + step * (rng.random(n) * slots).astype(np.int64)
        return day * MINUTES_PER_DAY + slot

    def _residents(self, service: np.ndarray) -> np.ndarray:
        propensity = self.residents["propensity"].to_numpy()
        eligible = screening_eligible(self.residents, self.params)
        resident = np.empty(len(service), dtype=np.int64)
        screening = service == SERVICE_INDEX["SCREENING"]
        for is_screening in (False, True):
            rows = np.flatnonzero(screening == is_screening)
            weights = propensity * eligible if is_screening else propensity
            if weights.sum() <= 0:  # a tiny region may have no eligible woman in the sample
                weights = propensity
            local = self.rng.choice(len(weights), size=len(rows), p=weights / weights.sum())
            resident[rows] = local
        return resident

    def _reminders(self, booking: dict[str, np.ndarray],
                   rng: np.random.Generator | None = None) -> np.ndarray:
        rng = self.rng if rng is None else rng
        n = len(booking["booked_at"])
        lead = booking["start_at"] // MINUTES_PER_DAY - booking["booked_at"] // MINUTES_PER_DAY
        eservice_share = np.where(booking["channel"] == _ESERVICE,
                                  self.params.eservice_reminder_share["eservice"],
                                  self.params.eservice_reminder_share["other"])
        u, v = rng.random(n), rng.random(n)
        reminder = np.where(u < self.profile.sms_reminder_share, _REMINDER["sms"],
                            np.where(v < eservice_share, _REMINDER["eservice"], _REMINDER["none"]))
        return np.where(lead == 0, _REMINDER["none"], reminder)

    # --- what happens to each booking -----------------------------------------------
    def decide_fates(self, booking: dict[str, np.ndarray], allow_rebooking: bool,
                     rng: np.random.Generator | None = None) -> dict[str, np.ndarray] | None:
        """Fill in fate, fate_at, cancellation and outcome fields; return the rebookings."""
        rng = self.rng if rng is None else rng
        params = self.params
        n = len(booking["booked_at"])
        booked, start = booking["booked_at"], booking["start_at"]
        lead = start // MINUTES_PER_DAY - booked // MINUTES_PER_DAY
        window = start - booked

        def by_lead(base_slope_cap: list[float]) -> np.ndarray:
            base, slope, cap = base_slope_cap
            return np.minimum(cap, base + slope * lead)

        p_rebook = by_lead(params.rebooking_probability) if allow_rebooking else np.zeros(n)
        p_patient = by_lead(params.patient_cancellation_probability)
        p_provider = params.provider_cancellation_probability
        u = rng.random(n)
        fate = np.select(
            [u < p_rebook, u < p_rebook + p_patient, u < p_rebook + p_patient + p_provider],
            [REBOOKED, CANCELLED_BY_PATIENT, CANCELLED_BY_PROVIDER], default=ATTENDED)
        # Too little time to move or cancel: the visit happens.
        fate[(fate == REBOOKED) & (window < 120)] = ATTENDED
        cancelling = np.isin(fate, [CANCELLED_BY_PATIENT, CANCELLED_BY_PROVIDER])
        fate[cancelling & (window < 45)] = ATTENDED

        fate_at = np.full(n, NONE, dtype=np.int64)
        action_channel = booking["channel"].copy()
        reason = np.full(n, NONE, dtype=np.int64)
        correction_at = np.full(n, NONE, dtype=np.int64)
        p_no_show = np.full(n, np.nan)

        # Rebooking: any minute from just after booking until an hour before the start.
        rows = np.flatnonzero(fate == REBOOKED)
        fate_at[rows] = booked[rows] + 1 + (rng.random(len(rows)) * (window[rows] - 60)).astype(
            np.int64)
        action_channel[rows] = self._patient_action_channel(
            rng, params.digital_rebooking_share, booking["local_unit"][rows], fate_at[rows],
            "rebooking")

        rows = np.flatnonzero(fate == CANCELLED_BY_PATIENT)
        p_late = np.full(n, np.nan)
        p_late0 = np.full(n, np.nan)
        fate_at[rows], p_late[rows], p_late0[rows] = self._patient_cancellation_times(
            booking, rows, rng)
        action_channel[rows] = self._patient_action_channel(
            rng, params.digital_cancellation_share, booking["local_unit"][rows], fate_at[rows],
            "cancellation")
        reason[rows] = rng.integers(0, len(PATIENT_CANCEL_REASONS), size=len(rows))

        rows = np.flatnonzero(fate == CANCELLED_BY_PROVIDER)
        fate_at[rows] = booked[rows] + 1 + (rng.random(len(rows)) * (window[rows] - 30)).astype(
            np.int64)
        action_channel[rows] = _STAFF
        reason[rows] = rng.integers(0, len(PROVIDER_CANCEL_REASONS), size=len(rows))

        rows = np.flatnonzero(fate == ATTENDED)
        p0 = no_show_probability(
            params.no_show_model, self.profile.no_show_effect, booking["channel"][rows],
            lead_time_band(lead[rows]), booking["reminder"][rows],
            self.resident_age_band[booking["resident"][rows]],
            _TIME_TYPE_CONTACT[booking["time_type"][rows]])
        effect = params.planted_effects["no_show"]
        treated = self._live(booking["local_unit"][rows], effect["service"], start[rows])
        p = p0
        if effect["logit"] != 0:
            shifted = 1.0 / (1.0 + np.exp(-(np.log(p0 / (1.0 - p0)) + effect["logit"])))
            p = np.where(treated, shifted, p0)
        p_no_show[rows] = p
        p_no_show0 = np.full(n, np.nan)
        p_no_show0[rows] = p0
        missed = rng.random(len(rows)) < p
        fate[rows[missed]] = NO_SHOW
        end = start[rows] + _TIME_TYPE_MINUTES[booking["time_type"][rows]]
        fate_at[rows] = self._registration_times(end, missed, rng)
        # A few attended visits are first registered as missed and corrected later.
        wrong = ~missed & (rng.random(len(rows)) < params.registration_error_share)
        correction_at[rows[wrong]] = _office_time(
            fate_at[rows[wrong]] // MINUTES_PER_DAY + rng.integers(1, 6, size=int(wrong.sum())),
            rng)

        booking.update(fate=fate, fate_at=fate_at, action_channel=action_channel,
                       reason=reason, correction_at=correction_at, p_no_show=p_no_show,
                       p_no_show0=p_no_show0, p_late=p_late, p_late0=p_late0)
        rebooked_rows = np.flatnonzero((fate == REBOOKED) & (fate_at <= self.cutoff))
        if not len(rebooked_rows) or not allow_rebooking:
            return None
        return self._rebookings(booking, rebooked_rows)

    def _patient_action_channel(self, rng: np.random.Generator, digital_share: float,
                                local_unit: np.ndarray, at: np.ndarray,
                                action: str) -> np.ndarray:
        """1177, phone or front desk for a patient's rebooking or cancellation; more often
        1177 at a unit live on the action's service (digital_shift)."""
        digital = min(self.params.max_digital_share,
                      digital_share * self.profile.digital_multiplier)
        shift = self.params.digital_shift[action]
        months = self.rollout.months_live(self.unit_idx[local_unit], shift["service"], at)
        live = self._live(local_unit, shift["service"], at)
        ramp = np.minimum(1.0, months / shift["ramp_months"]) if shift["ramp_months"] > 0 else (
            live.astype(float))
        # The uplift moves a share of the non-digital actions to 1177.
        p_digital = digital + (1.0 - digital) * shift["uplift"] * np.where(live, ramp, 0.0)
        u = rng.random(len(local_unit))
        return np.where(u < p_digital, _ESERVICE,
                        np.where(u < p_digital + (1 - p_digital) * 0.8, _PHONE, _FRONT_DESK))

    def _patient_cancellation_times(
            self, booking: dict[str, np.ndarray], rows: np.ndarray,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cancellation minutes, and the probability that each was late (with the planted
        effect, and without it): late = inside the region's threshold before the start."""
        booked, start = booking["booked_at"][rows], booking["start_at"][rows]
        threshold = self.threshold_minutes[booking["local_unit"][rows]]
        low, high = booked + 1, start - 15
        boundary = start - threshold
        effect = self.params.planted_effects["late_cancellation"]
        # Treated: the unit was live when the booking entered its late window.
        treated = self._live(booking["local_unit"][rows], effect["service"],
                             np.maximum(boundary, booked))
        share = self.params.late_cancellation_share
        p_late0 = np.where(boundary <= low, 1.0, share)
        p_late = np.where(boundary <= low, 1.0,
                          np.clip(share * (1.0 + effect["relative"] * treated), 0.0, 1.0))
        late = (rng.random(len(rows)) < p_late) | (boundary <= low)
        from_, to = np.where(late, np.maximum(low, boundary), low), np.where(late, high,
                                                                              boundary - 1)
        times = from_ + (rng.random(len(rows)) * (to - from_ + 1)).astype(np.int64)
        return times, p_late, p_late0

    def _registration_times(self, end: np.ndarray, missed: np.ndarray,
                            rng: np.random.Generator) -> np.ndarray:
        """When the outcome is registered: soon after the visit, or some days later."""
        delays = self.params.outcome_recording_delay
        u = rng.random(len(end))
        same, soon, _ = np.where(missed[:, None], delays["no_show"], delays["attended"]).T
        category = np.where(u < same, 0, np.where(u < same + soon, 1, 2))
        later_days = np.where(category == 1, rng.integers(1, 4, size=len(end)),
                              rng.integers(4, 11, size=len(end)))
        later = _office_time(end // MINUTES_PER_DAY + later_days, rng)
        return np.where(category == 0, end + rng.integers(0, 121, size=len(end)), later)

    def _rebookings(self, booking: dict[str, np.ndarray],
                    rows: np.ndarray) -> dict[str, np.ndarray]:
        """New bookings replacing the rebooked ones: same need, new time."""
        new = {key: booking[key][rows] for key in (
            "chain", "local_unit", "service", "time_type", "resident", "referral", "dash")}
        new["generation"] = booking["generation"][rows] + 1
        new["previous"] = rows + self.offsets[-2]  # global row of the replaced booking
        new["channel"] = booking["action_channel"][rows]
        new["booked_at"] = booking["fate_at"][rows]
        new["start_at"] = self._schedule(new["booked_at"], new["service"])
        new["reminder"] = self._reminders(new)
        new["shifted"] = np.zeros(len(rows), dtype=bool)
        new["refill_of"] = np.full(len(rows), NONE, dtype=np.int64)
        self.offsets.append(self.offsets[-1] + len(rows))
        return new

    # --- slots freed by cancellations, taken by other residents -----------------------
    def refills(self, generations: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray] | None:
        """New first bookings in slots freed by cancellations (same unit, time type and
        start), made by another resident between the cancellation and the start."""
        rng, params = self.aux, self.params
        fate = np.concatenate([g["fate"] for g in generations])
        fate_at = np.concatenate([g["fate_at"] for g in generations])
        start = np.concatenate([g["start_at"] for g in generations])
        freed = np.isin(fate, [REBOOKED, CANCELLED_BY_PATIENT, CANCELLED_BY_PROVIDER]) & (
            fate_at <= self.cutoff)
        hours = (start - fate_at) / 60.0
        refill = params.slot_refill
        p = np.where(freed & (hours >= refill["min_hours"]),
                     refill["max"] * (1.0 - np.exp(-hours / refill["hours_scale"])), 0.0)
        rows = np.flatnonzero(rng.random(len(p)) < p)
        if not len(rows):
            return None
        pick = {key: np.concatenate([g[key] for g in generations])[rows]
                for key in ("local_unit", "service", "time_type", "start_at")}
        n = len(rows)
        window = start[rows] - 30 - (fate_at[rows] + 1)
        booked_at = fate_at[rows] + 1 + (rng.random(n) * np.maximum(window, 0)).astype(np.int64)
        saved_rng, self.rng = self.rng, rng  # refills draw from the second stream only
        try:
            channel = self._channels(pick["service"])
            channel = np.where(channel == _INVITATION, _PHONE, channel)  # nobody is invited
            channel, shifted = self._digital_shift(channel, pick["local_unit"], booked_at,
                                                   "booking")
            booking = {
                "chain": self.inputs.chains + np.arange(n, dtype=np.int64),
                "generation": np.zeros(n, dtype=np.int64),
                "previous": np.full(n, NONE, dtype=np.int64),
                "local_unit": pick["local_unit"], "service": pick["service"],
                "time_type": pick["time_type"], "channel": channel, "booked_at": booked_at,
                "start_at": pick["start_at"], "resident": self._residents(pick["service"]),
                "referral": np.zeros(n, dtype=bool),
                "dash": rng.random(n) < self.profile.personnummer_dash_share,
                "shifted": shifted, "refill_of": rows,
            }
            booking["reminder"] = self._reminders(booking)
            self.decide_fates(booking, allow_rebooking=False)
        finally:
            self.rng = saved_rng
        return booking

    def _late_outcomes(self, table: pl.DataFrame) -> pl.DataFrame:
        """Messy data: a share of outcomes registered 11-40 days after the visit."""
        rate = self.inputs.late_outcome_rate
        n = table.height
        draw = self.aux.random(n)
        days = self.aux.integers(11, 41, size=n)
        outcome = table["fate"].is_in([ATTENDED, NO_SHOW]).to_numpy()
        late = outcome & (draw < rate)
        if rate > 0 and not late.any() and outcome.any():
            late[np.flatnonzero(outcome)[0]] = True  # every kind asked for appears
        shift = np.where(late, days, 0)
        visit_end_day = table["end_at"].to_numpy() // MINUTES_PER_DAY
        fate_at = table["fate_at"].to_numpy()
        new_fate_at = np.where(late, _next_weekday(visit_end_day + shift) * MINUTES_PER_DAY
                               + fate_at % MINUTES_PER_DAY, fate_at)
        new_fate_at = np.maximum(new_fate_at, fate_at)
        moved = new_fate_at - fate_at
        correction = table["correction_at"].to_numpy()
        return table.with_columns(
            pl.Series("fate_at", new_fate_at),
            pl.Series("correction_at", np.where(correction == NONE, NONE, correction + moved)),
            pl.Series("late_outcome_days", np.where(late, moved // MINUTES_PER_DAY, 0)))

    # --- from generations to one table ------------------------------------------------
    def finish(self, generations: list[dict[str, np.ndarray]],
               refills: dict[str, np.ndarray] | None) -> pl.DataFrame:
        """One frame of bookings made on or before the cutoff, ids in order of creation."""
        if refills is not None:
            generations = [*generations, refills]
        offsets = np.cumsum([0] + [len(g["chain"]) for g in generations])
        frames = []
        for g, booking in enumerate(generations):
            frames.append(pl.DataFrame({
                "row": np.arange(offsets[g], offsets[g + 1]), "chain": booking["chain"],
                "generation": booking["generation"], "previous_row": booking["previous"],
                "refill_of_row": booking["refill_of"], "shifted_to_1177": booking["shifted"],
                "local_unit": booking["local_unit"],
                "unit_idx": self.unit_idx[booking["local_unit"]],
                "tidbok_idx": self.inputs.service_tidbok[
                    self.unit_idx[booking["local_unit"]], booking["service"]],
                "specialist_care": self.unit_specialist[booking["local_unit"]],
                "resident_idx": self.resident_idx[booking["resident"]],
                "age_band_idx": self.resident_age_band[booking["resident"]],
                "service": booking["service"], "time_type": booking["time_type"],
                "contact": _TIME_TYPE_CONTACT[booking["time_type"]],
                "channel": booking["channel"], "referral": booking["referral"],
                "reminder": booking["reminder"], "dash": booking["dash"],
                "booked_at": booking["booked_at"], "start_at": booking["start_at"],
                "end_at": booking["start_at"] + _TIME_TYPE_MINUTES[booking["time_type"]],
                "fate": booking["fate"], "fate_at": booking["fate_at"],
                "action_channel": booking["action_channel"], "reason": booking["reason"],
                "correction_at": booking["correction_at"], "p_no_show": booking["p_no_show"],
                "p_no_show0": booking["p_no_show0"], "p_late": booking["p_late"],
                "p_late0": booking["p_late0"],
            }))
        table = pl.concat(frames)
        table = self._late_outcomes(table).filter(pl.col("booked_at") <= self.cutoff)
        table = table.sort(["booked_at", "chain", "generation", "row"]).with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("seq"))
        code = self.profile.region.code
        first_id = int(self.rng.integers(100_000, 1_000_000))
        if self.inputs.id_base is not None:
            first_id = self.inputs.id_base
        first_referral = pl.col("referral") & (pl.col("generation") == 0) & (
            pl.col("refill_of_row") == NONE)
        referral_seq = pl.when(first_referral).then(
            first_referral.cast(pl.Int64).cum_sum() + self.inputs.referral_base)
        table = table.with_columns(
            (pl.lit(code) + (pl.col("seq") + first_id).cast(pl.String).str.zfill(8))
            .alias("booking_id"),
            referral_seq.alias("referral_seq"),
        )
        # Rebookings keep the referral of the chain's first booking.
        chain_referral = table.filter(first_referral).select(
            "chain", pl.col("referral_seq").alias("chain_referral_seq"))
        table = table.join(chain_referral, on="chain", how="left").with_columns(
            pl.when(pl.col("referral")).then(
                pl.lit(f"H{code}-") + pl.col("chain_referral_seq").cast(pl.String).str.zfill(7)
            ).alias("referral_id"))
        ids = table.select(pl.col("row").alias("previous_row"),
                           pl.col("booking_id").alias("rebooked_from"))
        table = table.join(ids, on="previous_row", how="left")
        refilled = table.select(pl.col("row").alias("refill_of_row"),
                                pl.col("booking_id").alias("refill_of"))
        table = table.join(refilled, on="refill_of_row", how="left")
        return table.drop("referral_seq", "chain_referral_seq").sort("seq").with_columns(
            pl.lit(code).alias("region"))


def _next_weekday(day: np.ndarray) -> np.ndarray:
    """The day itself if a weekday, else the following Monday."""
    wd = weekday(day)
    return day + np.where(wd >= 5, 7 - wd, 0)


def _office_time(day: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A minute between 08:00 and 17:00 on the weekday on or after `day`."""
    return _next_weekday(day) * MINUTES_PER_DAY + 480 + rng.integers(0, 540, size=len(day))
