package dev.cloudpc.reprovision.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;

/** Random and deterministic identifiers. */
final class Ids {

  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {
  }

  static String guid() {
    return UUID.randomUUID().toString();
  }

  /** The same name always gives the same GUID, so derived ids survive restarts. */
  static String nameGuid(String name) {
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Random bytes as url-safe Base64 without padding: usable in headers, query strings and shells as is. */
  static String urlSafe(int bytes) {
    byte[] raw = new byte[bytes];
    RANDOM.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }
}
