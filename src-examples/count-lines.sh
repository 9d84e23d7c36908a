#!/usr/bin/env bash
# Counts the code lines of each Troupe example and of the seed snippet it ports, and prints the
# table of src-examples/README.md (Markdown). Needs only bash, awk and grep.
#
#   src-examples/count-lines.sh            the table
#   src-examples/count-lines.sh FILE...    the count of each file
#
# A code line is a line that is not blank, not a comment and not an import, in every language
# alike: Java and Rust lose // and /* */ comments (Javadoc included), Python loses # comments and
# docstrings; Java's package and import lines, Rust's use lines and Python's import lines are not
# counted either (the snippets show some of their imports and not others).
set -euo pipefail
cd "$(dirname "$0")"

count() {
  awk '
    function strip(s) { sub(/^[ \t]+/, "", s); sub(/[ \t\r]+$/, "", s); return s }
    BEGIN { py = FILENAME ~ /\.py$/ }
    {
      line = strip($0)
      if (inblock) { if (index(line, "*/")) inblock = 0; next }
      if (indoc) { if (index(line, "\"\"\"")) indoc = 0; next }
      if (line == "") next
      if (py) {
        if (line ~ /^#/) next
        if (line ~ /^(import|from) [A-Za-z_.]+/ && line !~ /[=(]/) next
        if (line ~ /^"""/) {
          rest = substr(line, 4)
          if (!index(rest, "\"\"\"")) indoc = 1
          next
        }
      } else {
        if (line ~ /^\/\//) next
        if (line ~ /^\/\*/) { if (!index(substr(line, 3), "*/")) inblock = 1; next }
        if (line ~ /^(package|import|use) /) next
      }
      n++
    }
    END { print n + 0 }
  ' "$1"
}

if [ $# -gt 0 ]; then
  for f in "$@"; do printf '%s\t%s\n' "$(count "$f")" "$f"; done
  exit 0
fi

main=src/main/java/dev/troupe/examples
# example | the file of the example | the seed snippet it ports
rows="
RustF quick start (welcome-email)|quickstart/WelcomeEmail.java|rustf-quick-start.rs
RustF email (send-email, demo)|workers/SendEmailWorker.java|rustf-email.rs
RustF file processing, staged progress (process-upload)|uploads/ProcessUpload.java|rustf-file-processing.rs
RustF cleanup (cleanup-temp-files)|maintenance/CleanupTempFiles.java|rustf-cleanup.rs
RustF report generation (generate-report)|reports/GenerateReport.java|rustf-report.rs
RustF batch processing (batch-processor, demo)|workers/BatchProcessorWorker.java|rustf-batch.rs
RustF state (stateful, demo)|workers/StatefulWorker.java|rustf-state.rs
RustF message emission (emit-progress)|progress/EmitProgress.java|rustf-progress-reporter.rs
RustF cancellation (cancel after a delay)|operations/CancelAfter.java|rustf-cancellation.rs
RustF listing and statistics (dashboard)|operations/WorkerDashboard.java|rustf-listing-and-stats.rs
Multi-agent data validation (validate-order)|orders/ValidateOrder.java|multiagents-data-validation.py
Multi-agent external API, retry and timeout (payment-processor)|orders/PaymentProcessor.java|multiagents-external-api.py
Multi-agent parallel processing (parallel-data-processor)|parallel/ParallelDataProcessor.java|multiagents-parallel.py
Multi-agent conditional routing (order-routing)|orders/OrderRouting.java|multiagents-conditional-routing.py
Multi-agent sync calculator (sync-calculator)|orders/SyncCalculator.java|multiagents-sync-calculator.py
Orchestrator complex task with progress (complex-task)|tasks/ComplexTask.java|orchestrator-complex-task.py
Orchestrator risky task, transient and permanent errors (risky-task)|tasks/RiskyTask.java|orchestrator-risky-task.py
Orchestrator ML inference, model loaded once per node (sentiment-analysis)|inference/SentimentAnalysis.java|orchestrator-ml-inference.py
Orchestrator video processing, staged progress (transcode-4k)|video/Transcode4k.java|orchestrator-video.py
Orchestrator web scraping (scrape-page)|scraping/ScrapePage.java|orchestrator-web-scraping.py
FlowKit handler, checkpoints and error classification (process-ranges)|checkpoints/ProcessRanges.java|flowkit-handler.py
"
echo "| Example | Seed snippet | Seed lines | Troupe lines | Troupe / seed |"
echo "|---|---|---:|---:|---:|"
seed_total=0
troupe_total=0
while IFS='|' read -r name example snippet; do
  [ -z "$name" ] && continue
  s=$(count "seed-snippets/$snippet")
  t=$(count "$main/$example")
  seed_total=$((seed_total + s))
  troupe_total=$((troupe_total + t))
  ratio=$(awk -v t="$t" -v s="$s" 'BEGIN { printf "%.2f", t / s }')
  echo "| $name: \`$example\` | \`$snippet\` | $s | $t | $ratio |"
done <<< "$rows"
ratio=$(awk -v t="$troupe_total" -v s="$seed_total" 'BEGIN { printf "%.2f", t / s }')
echo "| **All** | | **$seed_total** | **$troupe_total** | **$ratio** |"
