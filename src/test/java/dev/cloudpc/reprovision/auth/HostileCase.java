package dev.cloudpc.reprovision.auth;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.ArrayList;
import java.util.List;

/**
 * One request of the hostile (or positive-control) table and what the app must answer.
 *
 * @param status  the exact status expected; 200 for a positive control (sent as a dry run)
 * @param slug    the problem type's last part, or null for a positive control
 * @param reach   how far towards Graph the request may get
 * @param mention text the problem's detail must contain (the missing role or scope), or null
 * @param secrets strings that must appear nowhere in the answer (tokens, their signatures, the function key)
 */
record HostileCase(String name, Target target, HttpMethod method, String uri, MultiMap headers, Buffer body,
                   boolean chunked, int status, String slug, Reach reach, String mention, List<String> secrets) {

  /** Which app the request goes to; all share one sandbox tenant. */
  enum Target { MAIN, EASY_AUTH, KEY_ONLY, HANDOVER }

  /** NOTHING: refused before authorization decided anything, so not one Graph request. LOOKUPS: Graph GETs only. */
  enum Reach { NOTHING, LOOKUPS }

  @Override
  public String toString() {
    return name;
  }

  static final class Builder {
    private final String name;
    private final Target target;
    private final HttpMethod method;
    private final String uri;
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    private final List<String> secrets = new ArrayList<>();
    private Buffer body;
    private boolean chunked;
    private Reach reach = Reach.NOTHING;
    private String mention;

    Builder(String name, Target target, HttpMethod method, String uri) {
      this.name = name;
      this.target = target;
      this.method = method;
      this.uri = uri;
    }

    Builder header(String name, String value) {
      headers.set(name, value);
      return this;
    }

    Builder withoutHeader(String name) {
      headers.remove(name);
      return this;
    }

    Builder bearer(String token) {
      return authorization("Bearer " + token, token);
    }

    /** A raw Authorization header whose credential must never be echoed. */
    Builder authorization(String value, String credential) {
      secret(credential);
      int lastDot = credential.lastIndexOf('.');
      if (lastDot >= 0) {
        secret(credential.substring(lastDot + 1)); // the signature: the part that makes a token a credential
      }
      return header("Authorization", value);
    }

    Builder secret(String value) {
      if (value != null && value.length() >= 8) {
        secrets.add(value);
      }
      return this;
    }

    Builder json(String json) {
      return body("application/json", json);
    }

    Builder body(String contentType, String text) {
      if (contentType != null) {
        headers.set("Content-Type", contentType);
      }
      this.body = Buffer.buffer(text);
      return this;
    }

    Builder chunked() {
      this.chunked = true;
      return this;
    }

    /** The request is authorized far enough to look up users and Cloud PCs at Graph (never to change one). */
    Builder lookups() {
      this.reach = Reach.LOOKUPS;
      return this;
    }

    Builder mentioning(String text) {
      this.mention = text;
      return this;
    }

    HostileCase refused(int status, String slug) {
      return new HostileCase(name, target, method, uri, headers, body, chunked, status, slug, reach, mention,
          List.copyOf(secrets));
    }

    /** A positive control: accepted as a dry run, which checks everything and never posts. */
    HostileCase accepted() {
      return new HostileCase(name, target, method, uri, headers, body, chunked, 200, null, Reach.LOOKUPS, null,
          List.copyOf(secrets));
    }
  }
}
