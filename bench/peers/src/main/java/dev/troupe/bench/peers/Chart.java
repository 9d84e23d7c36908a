package dev.troupe.bench.peers;

import dev.troupe.bench.peers.Report.Advantage;
import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;

/** The PNG of Troupe's advantage over each peer per workload, from the report's own numbers. */
final class Chart {
  private Chart() {}

  static void write(Report report, Path png) throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    for (Advantage a : report.advantages()) {
      if (Double.isFinite(a.times()) && a.times() > 0) {
        data.addValue(a.times(), a.peer(), a.workload());
      }
    }
    LogAxis axis = new LogAxis("Troupe is N× better (log scale; 1 = even, under 1 = peer better)");
    axis.setNumberFormatOverride(new DecimalFormat("0.###"));
    axis.setTickUnit(new NumberTickUnit(1)); // a tick per decade: 0.1, 1, 10, …
    CategoryPlot plot = new CategoryPlot(data, new org.jfree.chart.axis.CategoryAxis("workload"),
        axis, new BarRenderer());
    BarRenderer bars = (BarRenderer) plot.getRenderer();
    bars.setBarPainter(new StandardBarPainter());
    bars.setShadowVisible(false);
    // bars grow from 1 (even): up where Troupe is ahead, down where the peer is
    bars.setBase(1.0);
    bars.setIncludeBaseInRange(true);
    bars.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}×",
        new DecimalFormat("0.##")));
    bars.setDefaultItemLabelsVisible(true);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    ValueMarker even = new ValueMarker(1.0, Color.BLACK, new BasicStroke(1.5f));
    plot.addRangeMarker(even);
    ValueMarker aim = new ValueMarker(Report.AIM_RATIO, Color.GRAY, new BasicStroke(1f,
        BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f));
    aim.setLabel("aim for workload 1: 2×");
    aim.setLabelAnchor(RectangleAnchor.TOP_LEFT);
    aim.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
    plot.addRangeMarker(aim);
    JFreeChart chart = new JFreeChart("Troupe against each peer on the same storage", plot);
    chart.addSubtitle(new TextTitle("jobs/s: Troupe/peer; latencies (p99, median of repetitions):"
        + " peer/Troupe"));
    chart.setBackgroundPaint(Color.WHITE);
    Path abs = png.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    ChartUtils.saveChartAsPNG(abs.toFile(), chart, 1000, 560);
  }
}
