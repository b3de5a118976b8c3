"""Rules across sections of a case: what one field's own rule cannot see.

Years within the model horizon, loan terms, scenario values within their
quantity's range, distributions and correlations of ``[risk]``, and the
quantity paths a case names. :func:`raw_problems` runs on the raw (possibly
partly invalid) data, so that its problems are reported together with the
field problems; :func:`case_problems` runs on a validated case.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..domain.capacity import berths_from_quay_length
from .errors import _MISSING, Problem, did_you_mean
from .schema import MAGNITUDE_MAX, Case, Criteria, Quantity

__all__ = ["case_problems", "raw_problems"]


def case_problems(case: Case) -> list[Problem]:
    """Every rule across sections, on a validated case (see :meth:`Case.problems`).

    Parameters
    ----------
    case : Case

    Returns
    -------
    list of Problem
        Empty when the case keeps every rule.
    """
    dump = case.model_dump(mode="python")
    out = _cross_problems(dump) + _tariff_required(dump)
    # whether [criteria] gave min_dscr, or its default stands, is part of the alias's message
    out += _dscr_alias_problems(case.model_dump(mode="python", exclude_unset=True))
    known = case.quantity_map()
    out += _scenario_problems(case, known)
    # [risk] may describe the uncertainty of every number in the file, lines the plan does not run included (the options use them)
    every = dict(case.quantities(all_lines=True))
    out += _distribution_problems(case, every)
    out += _correlation_problems(case, every)
    out += _reference_problems(case, known)
    out += _traffic_problems(case)
    out += _funding_and_concession_problems(case)
    out += _plan_problems(case)
    out += _appraisal_problems(case)
    out += _data_plan_problems(case)
    if case.options and not out:  # the options build on a sound case: a problem of the case is reported once, not per option
        from .options import option_problems  # imported here: options validates through this module

        out += option_problems(case)
    return out


def raw_problems(data: Any) -> list[Problem]:
    """The rules that can run on raw case data, partly invalid or not.

    Each rule runs when the values it needs are present and of the right type,
    so that its problems are reported together with the field problems.

    Parameters
    ----------
    data : object
        A parsed TOML document (or a validated case's ``model_dump``).

    Returns
    -------
    list of Problem
    """
    return _cross_problems(data) + _dscr_alias_problems(data) + _tariff_required(data)


def _dscr_alias_problems(d: Any) -> list[Problem]:
    """``risk.dscr_threshold``, a deprecated alias, must equal ``criteria.min_dscr`` when given.

    Files that give both equal (as the default case does, 1.3) load unchanged, so
    that reports embedding them still re-run; a file where they differ is
    ambiguous and must say which it means in ``criteria.min_dscr``.
    """
    if not isinstance(d, dict):
        return []
    risk, criteria = d.get("risk"), d.get("criteria", {})  # no [criteria]: its defaults
    alias = risk.get("dscr_threshold") if isinstance(risk, dict) else None
    if not _is_number(alias) or not isinstance(criteria, dict):
        return []  # absent, or its own field problem
    given = "min_dscr" in criteria
    min_dscr = criteria["min_dscr"] if given else Criteria.model_fields["min_dscr"].default
    if not _is_number(min_dscr) or float(alias) == float(min_dscr):
        return []
    which = f"{min_dscr:g}" if given else f"{min_dscr:g}, its default"
    return [
        Problem(
            "risk.dscr_threshold",
            f"must equal criteria.min_dscr ({which})",
            alias,
            "risk.dscr_threshold is a deprecated alias: remove it and set criteria.min_dscr in [criteria]",
        )
    ]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _not_a_quantity(where: str, path: str, candidates: Iterable[str]) -> Problem:
    return Problem(where, "is not a quantity of this case (give its full path)", _MISSING, did_you_mean(path, candidates))


def _scenario_problems(case: Case, known: dict[str, Quantity]) -> list[Problem]:
    """Scenario values name quantities of the case, with the quantity's shape and range."""
    out: list[Problem] = []
    for name, sc in case.scenarios.items():
        for path, value in sc.set.items():
            where = f"scenarios.{name}.set.{path}"
            q = known.get(path)
            if q is None:
                out.append(_not_a_quantity(where, path, known))
            elif isinstance(value, list) != q.is_list or (q.is_list and len(value) != len(q.value)):
                shape = f"a list of {len(q.value)} numbers" if q.is_list else "a number"
                out.append(Problem(where, f"must be {shape}", value))
            elif type(q).outside(value).any():
                out.append(Problem(where, f"must be {type(q).rule()}", value))
    return out


def _distribution_problems(case: Case, known: dict[str, Quantity]) -> list[Problem]:
    """Distributions on existing single-number quantities, that draw only values the quantity allows."""
    from ..domain import distributions as dist  # imported here: it loads scipy

    out: list[Problem] = []
    scalars = [p for p, q in known.items() if not q.is_list]
    for path, spec in case.risk.distributions.items():
        where = f"risk.distributions.{path}"
        q = known.get(path)
        if q is None:
            out.append(_not_a_quantity(where, path, scalars))
            continue
        if q.is_list:
            out.append(Problem(where, "distributions are for single numbers, not lists", _MISSING))
            continue
        params = spec.params(q)
        found = dist.check(spec.kind, params)
        if found:
            out += [Problem(where, msg, _MISSING) for msg in found]
            continue
        try:
            lo, hi = dist.make(spec.kind, **params).support()
        except dist.DistributionError as err:  # ends from P10/P90 that cannot be solved
            out.append(Problem(where, str(err), _MISSING))
            continue
        ge, le, gt, lt = type(q).bounds
        low_ok = (ge is None or lo >= ge) and (gt is None or lo > gt)
        high_ok = (le is None or hi <= le) and (lt is None or hi < lt)
        if not (low_ok and high_ok):
            hint = " (use truncated_normal, pert or triangular to stay inside)" if spec.kind in ("normal", "lognormal") else ""
            out.append(
                Problem(where, f"can draw values outside what {path} allows ({type(q).rule()}): support [{lo:g}, {hi:g}]{hint}", _MISSING)
            )
    return out


def _correlation_problems(case: Case, known: dict[str, Quantity]) -> list[Problem]:
    """Correlations between two different inputs with distributions, each pair once, a valid matrix."""
    from ..domain import distributions as dist  # imported here: it loads scipy

    out: list[Problem] = []
    dists = case.risk.distributions
    # a forecast stream's sampled volume paths may take part too, ranked by their mean
    forecasts = [f"{k}.revenue.{n}.forecast.volumes" for k, line in case.defined_lines().items()
                 for n, st in line.revenue.items() if st.forecast is not None]
    # suggest only sound inputs: a misspelled distribution path has its own problem above
    sound = [p for p in dists if p in known and not known[p].is_list] + forecasts
    pairs: set[tuple[str, str]] = set()
    for i, c in enumerate(case.risk.correlations):
        where = f"risk.correlations[{i}]"
        a, b = c.between
        if a == b:
            out.append(Problem(where, "correlates an input with itself", a))
        for p in (a, b):
            if p not in dists and p not in forecasts:
                out.append(Problem(where, "names an input without a distribution in [risk.distributions] (or a "
                                          "forecast stream's volumes, <line>.revenue.<stream>.forecast.volumes)", p, did_you_mean(p, sound)))
        key = tuple(sorted((a, b)))
        if key in pairs:
            out.append(Problem(where, "repeats a pair given before", f"{a}, {b}"))
        pairs.add(key)
    # the matrix is checked whenever its own entries are sound
    if case.risk.correlations and not out:
        names = case.risk.correlated_names()
        out += [Problem("risk.correlations", msg, _MISSING) for msg in dist.check_correlation(case.risk.correlation_matrix(), names)]
    return out


def _reference_problems(case: Case, known: dict[str, Quantity]) -> list[Problem]:
    """Names of revenue streams (benefits that follow one) and of quantities (two-way tables)."""
    out: list[Problem] = []
    if case.economic is not None:
        streams = sorted(f"{k}.{n}" for k, line in case.defined_lines().items() for n in line.revenue)
        for name, b in case.economic.benefits.items():
            if b.follows is not None and b.follows not in streams:
                rule = f"is not a revenue stream (streams: {', '.join(streams)})"
                out.append(Problem(f"economic.benefits.{name}.follows", rule, b.follows, did_you_mean(b.follows, streams)))
        for name, x in case.economic.externalities.items():
            if x.follows is not None and x.follows not in streams:
                rule = f"is not a revenue stream (streams: {', '.join(streams)})"
                out.append(Problem(f"economic.externalities.{name}.follows", rule, x.follows, did_you_mean(x.follows, streams)))
            tl = case.timeline
            if x.once_year is not None and not tl.start_year <= x.once_year <= tl.end_year:
                out.append(Problem(f"economic.externalities.{name}.once_year", f"must lie within the model years {tl.start_year}-{tl.end_year}",
                                   x.once_year))
    out += _price_index_problems(case)
    out += _marine_problems(case)
    out += _ship_call_problems(case)
    out += _cargo_type_problems(case) + _port_values_problems(case)
    cap = case.port.capacity
    typed = [t for st in case.port.revenue.values() for t in getattr(st, "cargo_types", {}).values()]
    parcels = cap is not None and (cap.parcel_tonnes_per_call is not None or any(t.parcel_tonnes_per_call is not None for t in typed))
    if cap is not None and parcels and cap.expansion is not None:
        for name, ph in cap.expansion.phases.items():
            if ph.berths is None:
                out.append(Problem(f"port.capacity.expansion.phases.{name}.berths",
                                   "is required with port.capacity.parcel_tonnes_per_call: the ships' waiting time needs the berths "
                                   "in service (0 for a phase of yard or equipment only)", _MISSING))
    if cap is not None and cap.yard is None and cap.expansion is not None:
        for name, ph in cap.expansion.phases.items():
            if ph.yard_area_m2 is not None:
                out.append(Problem(f"port.capacity.expansion.phases.{name}.yard_area_m2",
                                   "adds to a yard the case does not have: give [port.capacity.yard] (its area, density, "
                                   "dwell time and utilisation) or remove yard_area_m2", ph.yard_area_m2.value))
    scalars = [p for p, q in known.items() if not q.is_list]
    for i, tw in enumerate(case.sensitivity.two_way):
        for axis in ("rows", "cols"):
            p = getattr(tw, axis)
            if p not in known or known[p].is_list:
                out.append(Problem(f"sensitivity.two_way[{i}].{axis}", "is not a single-number quantity of this case", p, did_you_mean(p, scalars)))
                continue
            # the table's values must be ones the input allows (a -50 % change of a rate above 0 is fine, of a
            # share that must stay >= 0.2 is not): found here, not when the sensitivity runs
            field = {"rows": "row_changes", "cols": "col_changes"}[axis]
            q, changes = known[p], getattr(tw, field)
            values = q.value * (1 + np.asarray(changes, dtype=float))
            bad = type(q).outside(values)
            if bad.any():
                size = ", and within -1e16 to 1e16" if (np.abs(values[bad]) > MAGNITUDE_MAX).any() else ""
                shown = ", ".join(f"{c:+g} gives {v:g}" for c, v in zip(np.asarray(changes)[bad], values[bad]))
                out.append(Problem(f"sensitivity.two_way[{i}].{field}",
                                   f"takes {p} ({q.value:g}) outside what it allows ({type(q).rule()}{size}): {shown}", _MISSING))
    return out


def _price_index_problems(case: Case) -> list[Problem]:
    """Public figures of another year than the base need the price index, with both years in it."""
    out: list[Problem] = []
    base, index = case.timeline.price_base_year, case.macro.price_index
    if base > case.timeline.start_year:  # a base year the timeline refuses is reported there, once
        return out
    restated = [(f"region.{f}", getattr(case.region, f)) for f in ("pad_idr_per_year", "apbd_idr_per_year")]
    marine = case.port.marine if case.port is not None else None
    if marine is not None:
        restated += [(f"port.marine.{f}", getattr(marine, f)) for f in ("trestle_cost_idr_per_m", "dredging_cost_idr_per_m3")]
    for path, q in restated:
        if q is None or q.year is None or q.year == base:
            continue
        if index is None:
            out.append(Problem(path, f"is in {q.year} rupiah: give [macro.price_index] with {q.year} and the base year "
                               f"{base} to restate it to base-year prices", q.value))
            continue
        missing = [y for y in (q.year, base) if y not in index.values]
        if missing:
            out.append(Problem("macro.price_index.values", f"needs the years {', '.join(map(str, missing))} to restate {path} "
                               f"({q.year}) to the base year {base} (has {', '.join(map(str, sorted(index.values)))})", _MISSING))
    return out


def _ship_call_problems(case: Case) -> list[Problem]:
    """A volume from the ship calls needs the port's ship time: the parcel per call and the ships' gross tonnage."""
    out: list[Problem] = []
    for key, line in case.defined_lines().items():
        for name, st in line.revenue.items():
            if getattr(st, "volume_from", None) != "ship_calls":
                continue
            cap = getattr(line, "capacity", None)
            typed = [t for s in line.revenue.values() if s.kind == "cargo_handling" for t in s.cargo_types.values()]
            # each cargo type's value, or the port's for the types that leave it out (checked in _cargo_type_problems)
            missing = [f"port.capacity.{f}" for f in ("parcel_tonnes_per_call", "gt_per_call") if cap is None or (
                getattr(cap, f) is None and not (typed and all(getattr(t, f) is not None for t in typed)))]
            if key != "port":
                out.append(Problem(f"{key}.revenue.{name}.volume_from", "ship_calls is for the port's streams (its ship calls)", st.volume_from))
            elif missing:
                out.append(Problem(f"{key}.revenue.{name}.volume_from", f"ship_calls needs {' and '.join(missing)}", st.volume_from))
    return out


def _cargo_type_problems(case: Case) -> list[Problem]:
    """Cargo types split the port's one cargo stream: shares summing to 1, and every value the mix needs given."""
    out: list[Problem] = []
    for key, line in case.defined_lines().items():
        cargo = [n for n, st in line.revenue.items() if st.kind == "cargo_handling"]
        for name, st in line.revenue.items():
            if st.kind == "cargo_handling":
                out += _own_or_types(f"{key}.revenue.{name}", st)
            types = getattr(st, "cargo_types", None)
            if not types:
                continue
            where = f"{key}.revenue.{name}.cargo_types"
            cap = getattr(line, "capacity", None)
            if key != "port" or cap is None:
                out.append(Problem(where, "are for the port's cargo, with [port.capacity] (their productivity and ships set its capacity)",
                                   ", ".join(types)))
                continue
            if len(cargo) > 1:
                out.append(Problem(where, "split the port's only cargo-handling stream: list every type here and remove the other "
                                   f"cargo-handling streams ({', '.join(n for n in cargo if n != name)})", ", ".join(types)))
            total = sum(t.share.value for t in types.values())
            if abs(total - 1.0) > 1e-6:
                parts = ", ".join(f"{n} {t.share.value:g}" for n, t in types.items())
                out.append(Problem(where, f"shares must sum to 1 (the stream's whole tonnage), got {total:g} ({parts})", _MISSING))
            for field, port_value in (("parcel_tonnes_per_call", cap.parcel_tonnes_per_call), ("gt_per_call", cap.gt_per_call)):
                given = [n for n, t in types.items() if getattr(t, field) is not None]
                if given and port_value is None:
                    for n in types:
                        if n not in given:
                            out.append(Problem(f"{where}.{n}.{field}", f"is missing: the other types give theirs ({', '.join(given)}) "
                                               f"and port.capacity.{field} is not given for the types that leave it out", _MISSING))
            if cap.yard is None:
                for n, t in types.items():
                    for field in ("stacking_density_tonnes_per_m2", "dwell_days"):
                        if getattr(t, field) is not None:
                            out.append(Problem(f"{where}.{n}.{field}", "is for a yard the case does not have: give [port.capacity.yard] "
                                               f"or remove {field}", getattr(t, field).value))
    return out


def _own_or_types(where: str, st: Any) -> list[Problem]:
    """A cargo stream's tariff and variable cost: the stream's for all its cargo, or each type's own, never both.

    So no number in the case goes unused, and the tariff a break-even or a tornado moves is the one the cargo pays.
    """
    out: list[Problem] = []
    bu = getattr(st, "build_up", None)
    for field, home in (("tariff_idr_per_tonne", ""), ("variable_cost_idr_per_tonne", ""), ("capture_share", "build_up.")):
        own = getattr(bu if home else st, field, None)
        given = [n for n, t in st.cargo_types.items() if getattr(t, field) is not None]
        if given and home and bu is None:
            out += [Problem(f"{where}.cargo_types.{n}.{field}", "is for a cargo build-up: give the stream a [build_up]", _MISSING) for n in given]
        elif given and len(given) < len(st.cargo_types):
            for n in st.cargo_types:
                if n not in given:
                    out.append(Problem(f"{where}.cargo_types.{n}.{field}", f"is missing: give every cargo type its own (as {', '.join(given)} "
                                       f"do) or none, and then {where}.{home}{field} for all", _MISSING))
        elif given and own is not None:
            out.append(Problem(f"{where}.{home}{field}", "is not used: every cargo type gives its own; remove it, or the types' own",
                               own.value))
    return out


#: a port's value a cargo type may state instead: (section of [port.capacity], field, required there unless every type gives it)
PORT_VALUES = (("", "productivity_tonnes_per_hour", True), ("", "parcel_tonnes_per_call", False), ("", "gt_per_call", False),
               ("yard.", "stacking_density_tonnes_per_m2", True), ("yard.", "dwell_days", True))


def _port_values_problems(case: Case) -> list[Problem]:
    """A value of the port's every cargo type states is not used: refused, so no number of the case goes unused."""
    cap, out = case.port.capacity if case.port is not None else None, []
    if cap is None:
        return out
    for st in case.port.revenue.values():
        types = getattr(st, "cargo_types", None) or {}
        for section, field, _required in PORT_VALUES:
            owner = cap.yard if section else cap
            own = getattr(owner, field, None) if owner is not None else None
            if types and own is not None and all(getattr(t, field) is not None for t in types.values()):
                out.append(Problem(f"port.capacity.{section}{field}", "is not used: every cargo type gives its own; remove it, or the "
                                   "types' own", own.value))
    return out


def _tariff_required(d: Any) -> list[Problem]:
    """A cargo stream's tariff, and its build-up's capture share, are required unless its cargo types give theirs
    (raw data or a validated case's dump)."""
    out: list[Problem] = []
    if not isinstance(d, dict):
        return out
    for key, line in d.items():
        revenue = line.get("revenue") if isinstance(line, dict) else None
        if not isinstance(revenue, dict):
            continue
        for name, st in revenue.items():
            if not isinstance(st, dict) or st.get("kind", "cargo_handling" if name == "cargo_handling" else None) != "cargo_handling":
                continue
            types = st.get("cargo_types") or {}
            by_type = isinstance(types, dict) and types and any(isinstance(t, dict) and t.get("tariff_idr_per_tonne") is not None
                                                               for t in types.values())
            if st.get("tariff_idr_per_tonne") is None and not by_type:
                out.append(Problem(f"{key}.revenue.{name}.tariff_idr_per_tonne", "is required but missing (or give each cargo type its own)",
                                   _MISSING))
            bu = st.get("build_up")
            typed_capture = isinstance(types, dict) and types and any(isinstance(t, dict) and t.get("capture_share") is not None
                                                                     for t in types.values())
            if isinstance(bu, dict) and bu.get("capture_share") is None and not typed_capture:
                out.append(Problem(f"{key}.revenue.{name}.build_up.capture_share",
                                   "is required but missing (or give each cargo type its own)", _MISSING))
    port = d.get("port")
    cap = port.get("capacity") if isinstance(port, dict) else None
    if isinstance(cap, dict):
        revenue = port.get("revenue") if isinstance(port.get("revenue"), dict) else {}
        types = [t for st in revenue.values() if isinstance(st, dict) and isinstance(st.get("cargo_types"), dict)
                 for t in st["cargo_types"].values() if isinstance(t, dict)]
        for section, field, required in PORT_VALUES:
            owner = cap.get("yard") if section else cap
            if not required or not isinstance(owner, dict) or owner.get(field) is not None:
                continue
            if not (types and all(t.get(field) is not None for t in types)):
                out.append(Problem(f"port.capacity.{section}{field}", "is required but missing (or give each cargo type its own)", _MISSING))
    return out


def _marine_problems(case: Case) -> list[Problem]:
    """The quay holds the berths the capacity counts (for the design ship)."""
    port = case.port
    if port is None or port.marine is None:
        if case.economic is None:
            return []
        return [Problem(f"economic.externalities.{name}.{f}", "takes its volume from [port.marine], which is not given", getattr(x, f))
                for name, x in case.economic.externalities.items() for f in ("volume_from", "once_from") if getattr(x, f)]
    m = port.marine
    held = int(berths_from_quay_length(m.quay_length_m.value, m.ship_length_m.value, m.berth_gap_m.value))
    need = f"{m.ship_length_m.value:g} m + 2 x {m.berth_gap_m.value:g} m clearance = {m.ship_length_m.value + 2 * m.berth_gap_m.value:g} m"
    if held < 1:
        return [Problem("port.marine.quay_length_m", f"is too short for one design ship ({need})", m.quay_length_m.value)]
    cap = port.capacity
    if cap is not None and cap.berths is not None and cap.berths != held:
        return [Problem("port.capacity.berths", f"must agree with the quay: {m.quay_length_m.value:g} m holds {held} design ship(s) "
                        f"of {m.ship_length_m.value:g} m with {m.berth_gap_m.value:g} m clearances (leave berths out to use it)", cap.berths)]
    return []


def _traffic_problems(case: Case) -> list[Problem]:
    """Every revenue stream says in ``[economic.traffic]`` whether its volume is generated or diverted."""
    if case.economic is None:
        return []
    out: list[Problem] = []
    streams = [f"{k}.{n}" for k, line in case.defined_lines().items() for n in line.revenue]
    given = [f"{k}.{n}" for k, by_stream in case.economic.traffic.items() for n in by_stream]
    for name in given:
        if name not in streams:
            rule = f"is not a revenue stream (streams: {', '.join(streams)})"
            out.append(Problem(f"economic.traffic.{name}", rule, _MISSING, did_you_mean(name, streams)))
    missing = [s for s in streams if s not in given]
    if missing:
        rule = "needs every revenue stream (its diverted share and the alternative's cost); missing: " + ", ".join(missing)
        out.append(Problem("economic.traffic", rule, _MISSING))
    return out


def _funding_and_concession_problems(case: Case) -> list[Problem]:
    """An expansion financed by gap funding needs its sources; the model cannot run the port past its concession."""
    out: list[Problem] = []
    cap = case.port.capacity
    exp = cap.expansion if cap is not None else None
    if exp is not None and exp.when_unfunded == "gap_funding" and case.financing.funding_gap is None:
        out.append(Problem("port.capacity.expansion.when_unfunded", "gap_funding needs a [financing.funding_gap] section", "gap_funding"))
    term, n_run = case.concession.term_years, case.timeline.operating_years
    if term < n_run:
        rule = f"must cover the model's operating years ({n_run}): the port cannot run past its concession"
        out.append(Problem("concession.term_years", rule, term))
    alias = case.criteria.concession_years
    if alias is not None and alias != term:
        rule = f"must equal concession.term_years ({term}); remove it (the concession's term is in [concession])"
        out.append(Problem("criteria.concession_years", rule, alias))
    return out


def _data_plan_problems(case: Case) -> list[Problem]:
    """Every pattern of the data-collection plan names at least one number of the file.

    The numbers an option adds are named by their place in the file
    (``options.<key>.merge.<path>``), read without building the option (a
    broken case reports its own problems once, not once per option). An
    option's case, built without the long list, does not check patterns for them.
    """
    import fnmatch

    from .options import _quantity_paths  # imported here: options validates through this module

    paths = [p for p, _q in case.quantities(all_lines=True)]
    paths += [f"options.{key}.merge.{p}" for key, opt in case.options.items() if opt.merge for p in _quantity_paths(opt.merge)]
    if not case.options:
        paths += [pattern for item in case.data_plan.values() for pattern in item.inputs if pattern.startswith("options.")]
    return [
        Problem(f"data_plan.{key}.inputs[{i}]", "matches no quantity path of the case", pattern, did_you_mean(pattern, paths))
        for key, item in case.data_plan.items()
        for i, pattern in enumerate(item.inputs)
        if not fnmatch.filter(paths, pattern)
    ]


def _appraisal_problems(case: Case) -> list[Problem]:
    """The ranking rule names model metrics: one with a better direction to rank by, ones with a hurdle to require."""
    from ..metrics import registry  # imported here: the case does not depend on the metrics, only its rule names them

    out: list[Problem] = []
    rule = case.appraisal
    rankable = [k for k, m in registry.METRICS.items() if m.better is not None and m.compute is not None]
    if rule.rank_by not in rankable:
        out.append(Problem("appraisal.rank_by", "must be a model metric with a better direction", rule.rank_by,
                           did_you_mean(rule.rank_by, rankable)))
    hurdled = [k for k, m in registry.METRICS.items() if m.op is not None and m.compute is not None]
    for i, k in enumerate(rule.require):
        if k not in hurdled:
            out.append(Problem(f"appraisal.require[{i}]", "must be a model metric with a hurdle", k, did_you_mean(k, hurdled)))
    return out


def _plan_problems(case: Case) -> list[Problem]:
    """Who runs the plan can run what it is given: lines defined, no company's money without a company."""
    out: list[Problem] = []
    plan = case.plan
    missing = [k for k in (plan.lines or []) if k not in case.defined_lines()]
    if missing:
        out.append(Problem("plan.lines", f"names lines the case does not define (defined: {', '.join(case.defined_lines())})", missing))
    if plan.vehicle == "bumd" and not case.lines():
        out.append(Problem("plan.lines", "a BUMD needs at least one business line (vehicle none: no operating unit)", []))
    if plan.vehicle == "none" and case.lines():
        out.append(Problem("plan.lines", "must be empty with vehicle 'none' (no operating unit runs a line)", list(case.lines())))
    if plan.vehicle == "blud" and "port" in case.lines():
        out.append(Problem("plan.lines", "a port terminal must be run by a port business entity (BUP, UU 17/2008), not a BLUD", list(case.lines())))
    return out


def _cross_problems(d: Any) -> list[Problem]:
    """Rules across sections, checked on the raw (possibly partly invalid) case data.

    Each rule runs when the values it needs are present and of the right type,
    so that these problems are reported together with the field problems.
    """

    def get(obj: Any, *keys: str) -> Any:
        for k in keys:
            obj = obj.get(k) if isinstance(obj, dict) else None
        return obj

    def whole(v: Any) -> int | None:
        return v if isinstance(v, int) and not isinstance(v, bool) else None

    def table(v: Any) -> dict[str, Any]:
        return v if isinstance(v, dict) else {}

    out: list[Problem] = []
    tl = table(get(d, "timeline"))
    start, base = whole(tl.get("start_year")), whole(tl.get("price_base_year"))
    n_build, n_run = whole(tl.get("construction_years")), whole(tl.get("operating_years"))
    if start is not None and base is not None and base > start:
        out.append(Problem("timeline.price_base_year", f"must be <= start_year ({start})", base))
    if start is None or n_build is None or n_run is None:
        return out  # no horizon to check years against
    first, fo, last = start, start + n_build, start + n_build + n_run - 1

    def in_horizon(path: str, year: Any) -> None:
        y = whole(year)
        if y is not None and not first <= y <= last:
            out.append(Problem(path, f"must be within the model years {first}-{last}", y))

    for key in ("port", "lab"):
        line = table(get(d, key))
        for name, st in table(line.get("revenue")).items():
            in_horizon(f"{key}.revenue.{name}.start_year", get(st, "start_year"))
        for name, o in table(line.get("opex")).items():
            in_horizon(f"{key}.opex.{name}.start_year", get(o, "start_year"))
            in_horizon(f"{key}.opex.{name}.end_year", get(o, "end_year"))
        for name, c in table(line.get("capex")).items():
            p = f"{key}.capex.{name}"
            in_horizon(f"{p}.start_year", get(c, "start_year"))
            c_start = whole(get(c, "start_year")) or first
            phasing = get(c, "phasing")
            if isinstance(phasing, list) and c_start + len(phasing) - 1 > last:
                out.append(Problem(f"{p}.phasing", f"runs past the last model year {last}", f"{len(phasing)} years from {c_start}"))
    for name, o in table(get(d, "bumd", "overhead")).items():
        in_horizon(f"bumd.overhead.{name}.start_year", get(o, "start_year"))
        in_horizon(f"bumd.overhead.{name}.end_year", get(o, "end_year"))
    acc = whole(get(d, "lab", "accreditation_year"))
    if acc is not None and acc > last:  # an earlier year means the lab is accredited already
        out.append(Problem("lab.accreditation_year", f"must be <= the last model year {last}", acc))
    years = get(d, "financing", "capital_injection", "years")
    for y in years if isinstance(years, list) else []:
        in_horizon("financing.capital_injection.years", y)
    for name, loan in table(get(d, "financing", "loans")).items():
        grace, tenor = whole(get(loan, "grace_years") if "grace_years" in table(loan) else 0), whole(get(loan, "tenor_years"))
        if grace is not None and tenor is not None and fo + grace + tenor - 1 > last:
            out.append(
                Problem(
                    f"financing.loans.{name}.tenor_years",
                    f"the loan would be repaid in {fo + grace + tenor - 1}, after the last model year {last}; "
                    "shorten grace_years + tenor_years",
                    tenor,
                )
            )
        share = get(loan, "share_of_construction_capex", "value")
        if isinstance(share, (int, float)) and not isinstance(share, bool) and share > 0 and n_build == 0:
            out.append(
                Problem(
                    f"financing.loans.{name}.share_of_construction_capex",
                    "loans are drawn during construction, but timeline.construction_years is 0",
                    share,
                )
            )
    return out
