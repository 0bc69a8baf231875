package dev.cloudpc.reprovision.sandbox;

import java.time.Instant;
import java.util.Map;

/**
 * One request the fake Graph received (also those it refused or dropped).
 *
 * @param path    raw path without the query
 * @param query   raw query string, {@code ""} when there is none
 * @param headers header names in lower case; repeated headers joined with {@code ", "}
 * @param body    the request body as UTF-8 text, {@code ""} when empty
 */
public record RecordedRequest(String method, String path, String query, Map<String, String> headers, String body,
                              Instant at) {

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
