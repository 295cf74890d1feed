"""bench/scale.py's arithmetic: speed ratios against the bz2 baseline, the 1 -> 2 worker scaling,
the tenfold memory growth and the extrapolation to 100 GB on 16 cores (the runs themselves are
benchmarks: `python bench/scale.py --tiny` runs them)."""
import pytest

from bench import scale


def _run(wall, stage, workers=2, driver=300.0, worker=150.0):
    return {"wall_s": wall, "stage_s": stage, "workers": workers, "driver_peak_mb": driver,
            "worker_peak_mb": worker}


@pytest.fixture
def res():
    return {"machine": {"date": "d", "cpus": 2, "load_average_before": (0.5, 0, 0),
                        "load_average_after": (0.7, 0, 0)},
            "corpus": {"pages": 8200, "missions": 820, "xml_bytes": 240_000_000},
            "baseline_bz2_s": 10.0, "transcode_s": 12.0,
            "runs": {"single": _run(20.0, 16.0), "multistream_w1": _run(30.0, 24.0, workers=1),
                     "multistream": _run(16.0, 12.5), "zstd": _run(8.0, 6.0),
                     "dask": _run(18.0, 14.0)},
            "memory": {"small": dict(_run(5, 4), pages=2000), "big": dict(_run(50, 40, driver=600.0), pages=20000)}}


def test_ratios_are_speeds_against_the_baseline(res):
    r = scale.ratios(res)
    assert r["single"]["whole_run_x"] == pytest.approx(0.5) and r["single"]["stage_x"] == pytest.approx(10 / 16)
    assert r["zstd"]["whole_run_x"] == pytest.approx(1.25)
    assert r["scaling_1_to_2"]["stage_x"] == pytest.approx(24 / 12.5)
    assert r["memory_tenfold"]["driver_x"] == pytest.approx(2.0) and r["memory_tenfold"]["worker_x"] == 1.0


def test_the_extrapolation_follows_its_stated_assumptions(res):
    e = scale.ratios(res)["extrapolation"]
    per_core = 240 / 6.0 / 2                        # MB of XML per second per worker
    assert e["per_core_mb_xml_s"] == pytest.approx(per_core)
    efficiency = (24 / 12.5) / 2
    assert e["scaling_efficiency"] == pytest.approx(efficiency)
    assert e["stage_s"] == pytest.approx(100_000 / (per_core * 16 * efficiency))
    assert e["fixed_s_linear"] == pytest.approx((8.0 - 6.0) * 100e9 / 240e6)
    assert e["total_min"] == pytest.approx((e["stage_s"] + e["fixed_s_linear"]) / 60)
    text = scale.markdown(res, scale.ratios(res))
    assert "| zstd re-pack, 2 workers | 8.0 | 6.0 | 1.25× | 1.67× | ≥ 4.0× |" in text
    assert "Assumptions:" in text and "Dask" in text


def test_fixed_costs_are_fitted_from_the_runs_and_the_driver_bounds_the_stage(res):
    # the same 8,200 pages with 8 missions instead of 820: 0.4 s less of fixed costs
    res["runs"]["zstd_mix"] = dict(_run(5.6, 4.0), pages=8200, missions=8, xml_bytes=200_000_000,
                                   driver_stage_cpu_s=1.64)
    m = scale.ratios(res)["extrapolation_mix"]
    fm = m["fixed_model"]
    c = (2.0 - 1.6) / (820 - 8)                      # per mission, from the two zstd runs
    b = ((50 - 40) - (5 - 4) - c * (2000 - 200)) / 18000   # per page, the memory runs less missions
    assert fm["per_mission_s"] == pytest.approx(c) and fm["per_page_s"] == pytest.approx(b)
    assert fm["a_s"] == pytest.approx(max(0.0, 1.0 - b * 2000 - c * 200))
    assert m["pages_100"] == pytest.approx(max(7e6, 100e9 / (200e6 / 8200)))
    assert m["fixed_s_model"] == pytest.approx(fm["a_s"] + b * m["pages_100"] + c * m["missions_100"])
    # one driver feeds every worker: 8,200 pages in 1.64 s of its CPU is 5,000 pages/s
    assert m["driver_pages_s"] == pytest.approx(5000) and m["driver_us_per_page"] == pytest.approx(200)
    assert m["workers_one_driver_feeds"] == pytest.approx(5000 / (8200 / 4.0 / 2))
    assert m["stage_s_driver_bound"] == pytest.approx(m["pages_100"] / 5000)
    # the stage is the longer of the workers' pace and the driver's
    assert m["total_min_driver_bounded"] == pytest.approx(
        (max(m["stage_s"], m["stage_s_driver_bound"]) + m["fixed_s_model"]) / 60)
    text = scale.markdown(res, scale.ratios(res))
    assert "a page + " in text and "one driver can feed 5,000 pages/s" in text


def test_noise_below_zero_is_not_a_negative_cost(res):
    # fewer missions cost more here (noise): the per-mission cost is 0, not negative
    res["runs"]["zstd_mix"] = dict(_run(9.0, 6.0), pages=8200, missions=8, xml_bytes=200_000_000)
    fm = scale.ratios(res)["extrapolation_mix"]["fixed_model"]
    assert fm["per_mission_s"] == 0.0 and fm["per_page_s"] >= 0 and fm["a_s"] >= 0
    assert "stage_s_driver_bound" not in scale.ratios(res)["extrapolation_mix"]


def test_the_mission_heavy_run_fits_the_per_mission_cost_and_is_reported(res):
    # the headline corpus has the dump's own share of missions (80 of 8,200); the heavy run
    # (820) and the mix (8) bracket it, and the per-mission cost comes from those two
    res["corpus"]["missions"] = 80
    res["runs"]["zstd_heavy"] = dict(_run(10.0, 7.5), pages=8200, missions=820, xml_bytes=288_000_000, every=10)
    res["runs"]["zstd_mix"] = dict(_run(5.6, 4.0), pages=8200, missions=8, xml_bytes=200_000_000)
    fm = scale.ratios(res)["extrapolation_mix"]["fixed_model"]
    assert fm["per_mission_s"] == pytest.approx((2.5 - 1.6) / (820 - 8)) and fm["missions"] == 820
    text = scale.markdown(res, scale.ratios(res))
    # 1.5 s more stage on two workers for 740 more mission pages: about 4 ms of worker time each
    assert "Mission-heavy: the same 8,200 pages with a mission one page in 10 (820 missions" in text
    assert f"about {1.5 * 2 / 740 * 1e3:.0f} ms of worker time for each mission page" in text
    assert "a mission one page in 102" in scale.ratios(res)["extrapolation"]["assumptions"][1]


def test_memory_is_reported_for_the_corpus_share_and_the_mission_heavy_one(res):
    res["memory"]["small"]["missions"], res["memory"]["big"]["missions"] = 19, 194
    res["memory_heavy"] = {"small": dict(_run(5, 4), pages=2000, missions=200),
                           "big": dict(_run(50, 40, driver=450.0), pages=20000, missions=2000)}
    r = scale.ratios(res)
    assert r["memory_tenfold"]["driver_x"] == pytest.approx(2.0)
    assert r["memory_tenfold_heavy"]["driver_x"] == pytest.approx(1.5)
    text = scale.markdown(res, r)
    assert "Peak memory, multistream, 2 workers (a mission one page in 105): 2,000 pages" in text
    assert "Mission-heavy, the same (a mission one page in 10): 2,000 pages" in text and "(1.50×)" in text
