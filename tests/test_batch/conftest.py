# SPDX-License-Identifier: MIT
"""Session fixtures of the batch tests: one generated corpus, one 2-worker LocalCluster, one
reference lake (built once; tests that change a lake work on a copy or a new one)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evenstride.batch.corpus import CorpusTruth, write_corpus

from .lakeio import N_ATHLETES, RUNS


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusTruth:
    return write_corpus(tmp_path_factory.mktemp("batch") / "corpus", n_athletes=N_ATHLETES,
                        runs_per_athlete=RUNS)


@pytest.fixture(scope="session")
def dask_client():
    pytest.importorskip("distributed")
    from dask.distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=":0", memory_limit="1GiB")
    client = Client(cluster)
    yield client
    client.close()
    cluster.close()


@pytest.fixture(scope="session")
def lake(corpus: CorpusTruth, dask_client, tmp_path_factory: pytest.TempPathFactory):
    """The reference lake of the whole corpus and the report of the batch that built it."""
    from evenstride.batch import run_batch

    out = tmp_path_factory.mktemp("lake") / "lake"
    rep = run_batch([str(corpus.root)], str(out), client=dask_client, chunk_size=25)
    return Path(out), rep
