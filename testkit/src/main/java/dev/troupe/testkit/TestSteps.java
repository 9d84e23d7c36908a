package dev.troupe.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.Compensation;
import dev.troupe.api.PermanentFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The durable steps of a test run, shared by its attempts as a node's journal would be: a step
 * runs once with success, later calls (in this or a later attempt) get its recorded result back.
 * Each attempt keeps the compensations it registered.
 */
final class TestSteps {
  private record Recorded(String type, JsonNode result) {}

  private record Registered(String step, Compensation<Object> compensation, Object value) {}

  private final ObjectMapper mapper;
  private final Map<String, Recorded> recorded = new LinkedHashMap<>();
  private final List<String> runs = new ArrayList<>();

  TestSteps(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /** One attempt's view: what it registered. */
  final class Attempt {
    private final List<Registered> registered = new ArrayList<>();

    @SuppressWarnings("unchecked")
    <T> T step(String name, Class<T> type, Supplier<T> action, Compensation<T> compensation) {
      T value;
      synchronized (TestSteps.this) {
        Recorded r = recorded.get(name);
        if (r != null) {
          if (!r.type().equals(type.getName())) {
            throw new PermanentFailure("step '" + name + "' was recorded with a result of type "
                + r.type() + " and is asked again for type " + type.getName()
                + ": a step name is used once per run");
          }
          value = bind(name, r.result(), type);
          register(name, (Compensation<Object>) compensation, value);
          return value;
        }
      }
      value = action.get();
      JsonNode json = value == null ? null : mapper.valueToTree(value);
      synchronized (TestSteps.this) {
        recorded.put(name, new Recorded(type.getName(), json));
        runs.add(name);
        register(name, (Compensation<Object>) compensation, value);
      }
      return value;
    }

    private void register(String name, Compensation<Object> c, Object value) {
      if (c != null && registered.stream().noneMatch(r -> r.step().equals(name))) {
        registered.add(new Registered(name, c, value));
      }
    }

    /** Runs the registered compensations, last step first; returns their names in that order. */
    synchronized List<String> compensate() {
      List<String> ran = new ArrayList<>();
      for (int i = registered.size() - 1; i >= 0; i--) {
        Registered r = registered.get(i);
        r.compensation().action().accept(r.value());
        ran.add(r.compensation().name());
      }
      registered.clear();
      return ran;
    }
  }

  private <T> T bind(String name, JsonNode result, Class<T> type) {
    if (result == null || type == Void.class) {
      return null;
    }
    try {
      return mapper.treeToValue(result, type);
    } catch (JsonProcessingException e) {
      throw new PermanentFailure("the recorded result of step '" + name + "' does not fit type "
          + type.getName() + ": " + e.getOriginalMessage(), e);
    }
  }

  synchronized Map<String, JsonNode> results() {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    recorded.forEach((k, v) -> out.put(k, v.result()));
    return out;
  }

  /** The names of the steps whose action ran, in order, over every attempt. */
  synchronized List<String> runs() {
    return List.copyOf(runs);
  }
}
