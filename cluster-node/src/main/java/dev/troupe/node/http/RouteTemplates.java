package dev.troupe.node.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The templates of the routes of a node's HTTP port, such as {@code /api/v1/runs/{runId}}: the
 * {@code route} tag of its request metrics, a bounded set whatever paths clients send. A path no
 * template matches is {@link #UNMATCHED}. A new route of the API adds its template here.
 */
final class RouteTemplates {
  /** The one value of every path no route answers. */
  static final String UNMATCHED = "unmatched";

  private static final String DASHBOARD = "/dashboard/{file}";
  private static final List<String> TEMPLATES = List.of(
      "/",
      "/metrics",
      "/api/v1/openapi.json",
      "/api/v1/cluster",
      "/api/v1/workers",
      "/api/v1/workers/{name}",
      "/api/v1/workers/{name}/stats",
      "/api/v1/workers/{name}/runs",
      "/api/v1/workers/{name}/rerun-failed",
      "/api/v1/runs",
      "/api/v1/runs/{runId}",
      "/api/v1/runs/{runId}/events",
      "/api/v1/runs/{runId}/cancel",
      "/api/v1/runs/{runId}/rerun",
      "/api/v1/schedules",
      "/api/v1/schedules/{name}",
      "/api/v1/schedules/{name}/pause",
      "/api/v1/schedules/{name}/resume",
      "/api/v1/schedules/{name}/trigger");
  private static final List<String[]> SPLIT = TEMPLATES.stream().map(RouteTemplates::split)
      .toList();

  private RouteTemplates() {}

  /** The template that {@code segments} (a request's decoded path segments) match. */
  static String of(Iterable<String> segments) {
    List<String> path = new ArrayList<>();
    segments.forEach(path::add);
    if (path.size() == 1 && path.get(0).isEmpty()) {
      path.clear(); // "/"
    }
    if (!path.isEmpty() && path.get(0).equals("dashboard")) {
      return DASHBOARD;
    }
    for (int t = 0; t < SPLIT.size(); t++) {
      if (matches(SPLIT.get(t), path)) {
        return TEMPLATES.get(t);
      }
    }
    return UNMATCHED;
  }

  private static boolean matches(String[] template, List<String> path) {
    if (template.length != path.size()) {
      return false;
    }
    for (int i = 0; i < template.length; i++) {
      boolean variable = template[i].startsWith("{");
      if (variable ? path.get(i).isEmpty() : !template[i].equals(path.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static String[] split(String template) {
    return template.equals("/") ? new String[0] : template.substring(1).split("/");
  }
}
