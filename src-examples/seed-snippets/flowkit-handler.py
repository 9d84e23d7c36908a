from flowkit.worker.handlers.base import Handler, Batch, BatchResult, RunContext
from typing import AsyncIterator

class CustomHandler(Handler):

    async def init(self, run_info: dict):
        """Initialize handler for a new task run."""
        self.task_id = run_info["task_id"]
        self.node_id = run_info["node_id"]
        # Setup resources, connections, etc.

    async def iter_batches(self, input_data) -> AsyncIterator[Batch]:
        """Generate batches from input data."""
        # Extract batch information from input_data
        batch_size = input_data.get("input_inline", {}).get("batch_size", 10)

        for i in range(0, 100, batch_size):
            yield Batch(
                batch_uid=f"batch_{i}",
                payload={"start": i, "end": min(i + batch_size, 100)}
            )

    async def process_batch(self, batch: Batch, ctx: RunContext) -> BatchResult:
        """Process a single batch."""
        start = batch.payload["start"]
        end = batch.payload["end"]

        # Check for cancellation
        if ctx.cancel_flag.is_set():
            raise asyncio.CancelledError()

        # Do actual processing
        result = await self.process_range(start, end)

        # Save artifacts if needed
        artifacts_ref = await ctx.artifacts_writer.upsert_partial(
            batch.batch_uid,
            {"items_processed": end - start}
        )

        return BatchResult(
            success=True,
            metrics={"items_processed": end - start},
            artifacts_ref=artifacts_ref
        )

    async def finalize(self, ctx: RunContext) -> FinalizationResult:
        """Clean up after all batches are processed."""
        # Final processing, cleanup, etc.
        return FinalizationResult(
            metrics={"total_items": ctx.total_processed}
        )

    def classify_error(self, error: Exception) -> tuple[str, bool]:
        """Classify errors as permanent or transient."""
        if isinstance(error, ValueError):
            return "validation_error", True  # Permanent
        elif isinstance(error, ConnectionError):
            return "connection_error", False  # Transient
        else:
            return "unknown_error", False

async def process_batch(self, batch: Batch, ctx: RunContext) -> BatchResult:
    # Save progress checkpoint
    checkpoint = {
        "processed_items": batch.payload["count"],
        "last_id": batch.payload["last_id"]
    }
    await ctx.save_checkpoint(checkpoint)

    # Continue processing...
