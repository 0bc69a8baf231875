package dev.cloudpc.reprovision.cloudpc;

import dev.cloudpc.reprovision.graph.GraphCall;
import dev.cloudpc.reprovision.graph.GraphClient;
import dev.cloudpc.reprovision.graph.GraphErrors;
import dev.cloudpc.reprovision.graph.GraphResponse;
import dev.cloudpc.reprovision.request.Problem;
import dev.cloudpc.reprovision.request.RequestScope;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Reads whole Graph collections: Graph pages server-side and names the next page in {@code @odata.nextLink}
 * (graph/paging.md: "keep requesting the nextLink until it is absent"), so a client that reads only the first page
 * silently misses items. Bounded: a collection longer than {@link #MAX_PAGES} pages fails closed rather than being
 * read forever or half-read.
 */
final class GraphPages {
  static final int MAX_PAGES = 50;

  private final GraphClient graph;
  private final URI graphBase;

  GraphPages(GraphClient graph, URI graphBase) {
    this.graph = graph;
    this.graphBase = graphBase;
  }

  /**
   * One page: its items, the call for the next page if Graph names one, and when this page's read was sent.
   */
  record Page(List<JsonObject> items, Optional<GraphCall> next, Instant sentAt) {
  }

  /** Every item of the collection; {@code absent} statuses (e.g. 404 on an API Graph does not offer) give none. */
  Future<List<JsonObject>> all(GraphCall first, RequestScope scope, String what, Set<Integer> absent) {
    return rest(first, scope, what, absent, new ArrayList<>(), 1);
  }

  private Future<List<JsonObject>> rest(GraphCall call, RequestScope scope, String what, Set<Integer> absent,
                                        List<JsonObject> items, int number) {
    return one(call, scope, what, absent).compose(page -> {
      items.addAll(page.items());
      if (page.next().isEmpty()) {
        return Future.succeededFuture(items);
      }
      if (number >= MAX_PAGES) {
        return Future.failedFuture(Problem.of(502, "graph-too-many-pages", "Bad gateway", "Graph returned more "
            + "than " + MAX_PAGES + " pages " + what + "; nothing was changed. Narrow the request or report this.")
            .exception());
      }
      return rest(page.next().get(), scope, what, absent, items, number + 1);
    });
  }

  /** One page of a collection; a next link that does not point below Graph's base fails (it is never followed). */
  Future<Page> one(GraphCall call, RequestScope scope, String what, Set<Integer> absent) {
    return graph.send(call, scope).compose(response -> {
      if (absent.contains(response.status())) {
        return Future.succeededFuture(new Page(List.of(), Optional.empty(), response.sentAt()));
      }
      JsonObject body = ok(response, call, what);
      List<JsonObject> items = body.getJsonArray("value", new JsonArray()).stream()
          .filter(JsonObject.class::isInstance).map(JsonObject.class::cast).toList();
      Object link = body.getValue("@odata.nextLink");
      if (link == null) {
        return Future.succeededFuture(new Page(items, Optional.empty(), response.sentAt()));
      }
      return (link instanceof String s ? call.next(s, graphBase) : Optional.<GraphCall>empty())
          .map(next -> Future.succeededFuture(new Page(items, Optional.of(next), response.sentAt())))
          .orElseGet(() -> Future.failedFuture(Problem.of(502, "graph-bad-next-link", "Bad gateway", "Graph's "
              + "@odata.nextLink " + what + " does not point below " + graphBase + "; it was not followed and "
              + "nothing was changed.").exception()));
    });
  }

  /** The body of a successful answer, or the failure as a problem. */
  static JsonObject ok(GraphResponse response, GraphCall call, String what) {
    if (response.ok()) {
      return Objects.requireNonNullElseGet(response.body(), JsonObject::new);
    }
    throw GraphErrors.problem(response, call.onBehalfOf().isPresent(), what).exception();
  }
}
