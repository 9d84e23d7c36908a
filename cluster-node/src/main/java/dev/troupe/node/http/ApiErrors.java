package dev.troupe.node.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.DuplicateWorkerException;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunNotFinishedException;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.UnknownScheduleException;
import dev.troupe.api.UnknownWorkerException;
import java.util.concurrent.CompletionException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.scaladsl.model.EntityStreamException;
import org.apache.pekko.http.scaladsl.model.EntityStreamSizeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Errors as JSON {@code {"error":{"code","message"}}} with the right status; never a stack trace. */
final class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private final ObjectMapper mapper;

  ApiErrors(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  HttpResponse response(StatusCode status, String code, String message) {
    ObjectNode body = mapper.createObjectNode();
    body.putObject("error").put("code", code).put("message", message);
    return HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.toString()));
  }

  /** The failure itself, not the CompletionException a dependent stage wraps it in. */
  static Throwable cause(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  /** The response for a failure of the facade (or of reading the request). */
  HttpResponse of(Throwable t) {
    Throwable e = cause(t);
    if (e instanceof InvalidArgumentException) {
      return response(StatusCodes.BAD_REQUEST, "INVALID_REQUEST", e.getMessage());
    }
    if (e instanceof UnknownWorkerException) {
      return response(StatusCodes.NOT_FOUND, "UNKNOWN_WORKER", e.getMessage());
    }
    if (e instanceof UnknownRunException) {
      return response(StatusCodes.NOT_FOUND, "UNKNOWN_RUN", e.getMessage());
    }
    if (e instanceof UnknownScheduleException) {
      return response(StatusCodes.NOT_FOUND, "UNKNOWN_SCHEDULE", e.getMessage());
    }
    if (e instanceof RunFinishedException) {
      return response(StatusCodes.CONFLICT, "RUN_FINISHED", e.getMessage());
    }
    if (e instanceof RunNotFinishedException) {
      return response(StatusCodes.CONFLICT, "RUN_NOT_FINISHED", e.getMessage());
    }
    if (e instanceof DuplicateWorkerException) {
      return response(StatusCodes.CONFLICT, "DUPLICATE_WORKER", e.getMessage());
    }
    if (e instanceof UnsupportedContentType) {
      return response(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE", e.getMessage());
    }
    if (e instanceof BodyBudget.BodyTooLarge || e instanceof EntityStreamSizeException
        || e instanceof EntityStreamException s
        && s.info().summary().startsWith("Request too large")) {
      // past troupe.http.max-body-bytes while streaming, or declared past it (the HTTP parser's
      // max-content-length, which a node sets to the same limit)
      return response(StatusCodes.PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE",
          "the request body is over the limit (troupe.http.max-body-bytes)");
    }
    if (e instanceof EntityStreamException) {
      return response(StatusCodes.BAD_REQUEST, "INVALID_REQUEST",
          "the request body could not be read: " + ((EntityStreamException) e).info().summary());
    }
    if (e instanceof RunRejectedException r) {
      return switch (r.reason()) {
        case QUEUE_FULL, OVERLOADED -> response(StatusCodes.TOO_MANY_REQUESTS, r.reason().name(),
            r.getMessage()).addHeader(RetryAfter.create(1L));
        case SHUTTING_DOWN, UNAVAILABLE, NO_NODE_FOR_ROLE -> response(StatusCodes.SERVICE_UNAVAILABLE,
            r.reason().name(), r.getMessage()).addHeader(RetryAfter.create(5L));
      };
    }
    log.error("unexpected failure answering a request", e);
    return response(StatusCodes.INTERNAL_SERVER_ERROR, "INTERNAL",
        "the node failed to answer; see its log");
  }
}
