"""Bulk re-scoring: local processes and a real Dask LocalCluster give the same, ordered results."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
import pytest

from crampdetect.pipeline.bulk import Failure, map_recordings
from crampdetect.pipeline.rescore import rescore

FS = 500.0


def make_csvs(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        rng = np.random.default_rng(i)
        t = np.arange(int(8 * FS)) / FS
        x = np.round(512 + rng.normal(0, 3 + i, (2, t.size)))
        path = folder / f"rec{i}.csv"
        with open(path, "w") as fh:
            fh.write("time_s,calf_left,calf_right\n")
            np.savetxt(fh, np.column_stack([t, x.T]), fmt=["%.3f", "%d", "%d"], delimiter=",")
        paths.append(path)
    (folder / "broken.csv").write_text("time_s,calf_left\n0.0,1\n0.002,oops\n")
    return paths


def n_samples(path: Path) -> int:
    from crampdetect.storage.reader import open_recording

    return open_recording(path).n_samples


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_csvs(tmp_path_factory.mktemp("bulk"), 4)


def test_local_processes_keep_order_and_collect_failures(recordings: list[Path]) -> None:
    broken = recordings[0].parent / "broken.csv"
    items = [*recordings, broken]
    serial = map_recordings(n_samples, recordings, n_workers=1, progress=False)
    parallel = map_recordings(n_samples, items, n_workers=2, progress=False, errors="collect")
    assert parallel[:-1] == serial == [4000] * 4
    assert isinstance(parallel[-1], Failure) and "InputError" in parallel[-1].error
    with pytest.raises(Exception, match="non-numeric"):
        map_recordings(n_samples, [broken], n_workers=1, progress=False)


def test_dask_local_cluster_matches_local_rescoring(recordings: list[Path]) -> None:
    from distributed import LocalCluster

    local = map_recordings(
        partial(rescore, profile="night"), recordings, n_workers=1, progress=False
    )
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address="127.0.0.1:0",
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        remote = map_recordings(
            partial(rescore, profile="night"),
            recordings,
            dask_address=cluster.scheduler_address,
            progress=True,
        )
        broken = recordings[0].parent / "broken.csv"
        failed = map_recordings(
            n_samples, [broken], dask_address=cluster.scheduler_address, errors="collect"
        )
    assert remote == local
    assert [r["input"]["path"] for r in remote] == [str(p) for p in recordings]
    assert isinstance(failed[0], Failure)
