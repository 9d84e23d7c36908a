package dev.troupe.node;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The JSON mapper of Troupe's runs, results and events (ISO-8601 times), for front ends. */
public final class NodeJson {
  private NodeJson() {}

  public static ObjectMapper mapper() {
    return dev.troupe.persistence.TroupeJson.newMapper();
  }
}
