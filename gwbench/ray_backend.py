"""`--backend ray`: the run's jobs as Ray actor calls, for a cluster (or a local Ray instance).

Each actor is one JobWorker (one policy, one env) holding one CPU; the driver (this process)
hands each idle actor its next job and alone writes the store, exactly as with worker
processes. Without an address a local Ray instance is started and stopped with the run; with
`--ray-address` the driver joins that cluster, whose nodes must have gwbench installed (see the
README's multi-node section). A dead actor is replaced and its job retried once.
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace

import ray

from gwbench.plan import RunPlan
from gwbench.records import WorkerLost
from gwbench.worker import MAX_ATTEMPTS, Executor, Job, JobWorker


@ray.remote(num_cpus=1, max_restarts=0)
class _JobActor:
    def __init__(self, plan: RunPlan, run_id: str):
        self.worker = JobWorker(plan, run_id)

    def handle(self, job: Job):
        return self.worker.handle(job)


class RayExecutor(Executor):
    def __init__(self, plan: RunPlan, run_id: str, workers: int, address: str | None = None):
        self.started_ray = not ray.is_initialized()
        if self.started_ray:
            options = {"address": address} if address else {"num_cpus": workers}
            ray.init(include_dashboard=False, log_to_driver=False, logging_level="ERROR", **options)
        self.args = (plan, run_id)
        self.actors = [_JobActor.remote(*self.args) for _ in range(workers)]

    def run(self, jobs):
        queue = deque(jobs)
        running: dict = {}  # object ref -> (actor index, job)
        idle = list(range(len(self.actors)))
        while queue or running:
            while queue and idle:
                index, job = idle.pop(), queue.popleft()
                running[self.actors[index].handle.remote(job)] = (index, job)
            (ref,), _ = ray.wait(list(running), num_returns=1)
            index, job = running.pop(ref)
            idle.append(index)
            try:
                result = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as error:
                self.actors[index] = _JobActor.remote(*self.args)
                if job.attempt < MAX_ATTEMPTS:
                    queue.appendleft(replace(job, attempt=job.attempt + 1))
                    continue
                result = WorkerLost(f"Ray actor died {MAX_ATTEMPTS} times on this unit ({type(error).__name__})")
            except ray.exceptions.RayTaskError as error:  # raised outside the episode's own fault handling
                result = WorkerLost(str(error.cause or error).splitlines()[0])
            yield job, result

    def close(self):
        for actor in self.actors:
            ray.kill(actor)
        if self.started_ray:
            ray.shutdown()
