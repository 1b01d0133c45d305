"""The sparse path's scans on a Dask cluster (issue 22, item 7): the threaded path's answer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import rm_match as rm
from rm_match.cli import demo_programme
from rm_match.screen import ProblemSource
from rm_match.solvers import solve_source
from rm_match.solvers.sparse import SparseStats, cluster, solve_sparse

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as lc,
        distributed.Client(lc) as c,
    ):
        yield c


def _installed_counts(client):
    return sorted(client.run(lambda: len(cluster._SOURCES)).values())


@pytest.mark.parametrize("policy", ["max_matched", "max_score"])
def test_scans_on_a_cluster_give_the_threaded_answer(client, policy):
    mentors, mentees = rm.synthetic.cohort(500, 450, rng=3)
    problem = rm.Problem(mentors, mentees, demo_programme())
    fixed, m_cap, e_cap = problem.placement()
    source = ProblemSource(problem, fixed)
    answers = []
    for executor in (ThreadPoolExecutor(2), cluster.DaskScans(client)):
        stats = SparseStats()
        pairs, slack, _, _ = solve_sparse(
            source, m_cap, e_cap, policy, k=2, pilot=60, rng=0, executor=executor, stats=stats
        )
        answers.append((pairs, slack, stats.rounds, stats.scans, stats.added))
        assert stats.scans > 1  # pricing rounds ran (k = 2 is far too few candidates)
    (p1, s1, *r1), (p2, s2, *r2) = answers
    np.testing.assert_array_equal(p1, p2)
    assert s1 == s2 and r1 == r2
    assert _installed_counts(client) == [0, 0]  # the source left the workers with the solve


def test_match_takes_the_cluster_for_its_scans(client, caplog):
    mentors, mentees = rm.synthetic.cohort(400, 400, rng=1)
    threads = rm.match(mentors, mentees, method="sparse", rng=0)
    with caplog.at_level("INFO", logger="rm_match"):
        on_dask = rm.match(
            mentors, mentees, method="sparse", rng=0, executor=cluster.DaskScans(client)
        )
    assert "scans on the cluster" in caplog.text
    assert on_dask.status == "optimal" and on_dask.pairs == threads.pairs
    a, _ = solve_source(
        ProblemSource(rm.Problem(mentors, mentees), np.empty((0, 2), dtype=np.int64)),
        np.ones(400, np.int64),
        np.ones(400, np.int64),
        executor=cluster.DaskScans(client, batches_per_worker=1),
        rng=0,
    )
    assert a.objective == pytest.approx(on_dask.objective, abs=1e-9)


def test_map_keeps_order_and_sends_the_function_once(client):
    ex = cluster.DaskScans(client, batches_per_worker=3)
    offset = np.arange(5)  # captured: travels with the function
    out = list(ex.map(lambda x: int(x + offset.sum()), range(23)))
    assert out == [x + 10 for x in range(23)]
    assert list(ex.map(pow, [2, 3], [3, 2])) == [8, 9]
    assert list(ex.map(abs, [])) == []
    assert ex.submit(pow, 2, 5).result() == 32
    with pytest.raises(ValueError, match="batches_per_worker"):
        cluster.DaskScans(client, batches_per_worker=0)


def test_a_task_on_a_worker_without_the_source_says_so():
    from rm_match.errors import SolverError

    with pytest.raises(SolverError, match="does not hold the solve's score source"):
        cluster._installed("no-such-token")
