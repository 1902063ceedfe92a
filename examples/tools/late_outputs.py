"""An nbconvert execute preprocessor that keeps the outputs a kernel sends
just after it reports `status: idle`.

Deno's Jupyter kernel (2.9.6) queues a cell's result for a background sender
and then reports `idle` without waiting for that queue, so the result can
arrive a moment after `idle`. Interactive front-ends still show it;
nbconvert's ExecutePreprocessor stops listening for a cell at `idle` and
drops it, so headless runs lose outputs at random. This preprocessor, after
`idle`, keeps collecting the cell's messages until none has arrived for
`idle_grace` seconds.

Use it instead of `--execute` (it runs the notebook itself):

    PYTHONPATH=examples/tools jupyter nbconvert --to notebook \
      --Exporter.preprocessors=late_outputs.LateOutputsPreprocessor \
      --output executed.ipynb examples/jobtask.ipynb

Every `--ExecutePreprocessor.*` option (kernel_name, timeout, ...) applies.
"""
from queue import Empty
from time import monotonic

from nbclient.exceptions import CellExecutionComplete
from nbclient.util import ensure_async
from nbconvert.preprocessors import ExecutePreprocessor
from traitlets import Float


class LateOutputsPreprocessor(ExecutePreprocessor):
    """ExecutePreprocessor that listens `idle_grace` seconds past `idle`."""

    idle_grace = Float(
        0.25,
        help="Seconds to keep listening for a cell's messages after the kernel"
        " reports idle; each message that arrives restarts the wait.",
    ).tag(config=True)

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        await super()._async_poll_output_msg(parent_msg_id, cell, cell_index)
        deadline = monotonic() + self.idle_grace
        while (remaining := deadline - monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") != parent_msg_id:
                continue
            self.log.debug("late %s after idle", msg["msg_type"])
            deadline = monotonic() + self.idle_grace
            try:
                self.process_message(msg, cell, cell_index)
            except CellExecutionComplete:
                pass
