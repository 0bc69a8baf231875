package dev.cloudpc.reprovision.store;

import dev.cloudpc.reprovision.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Shared Key authorisation for the Table service (Learn: "Authorize with Shared Key", section "Shared Key format for
 * the Table service"): {@code StringToSign = VERB\nContent-MD5\nContent-Type\nDate\nCanonicalizedResource}, where Date
 * is the x-ms-date value and CanonicalizedResource is {@code /account} followed by the encoded URI path (the query is
 * not signed except {@code comp}, which these requests never use), HMAC-SHA256 with the base64-decoded account key.
 */
final class SharedKeySigner {
  /** RFC 1123 with a two-digit day, as x-ms-date wants it. */
  static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private final String account;
  private final Mac prototype;

  /** Looks the MAC up and keys it here, at start-up: the provider's first lookup is slow for an event loop. */
  SharedKeySigner(String account, Secret accountKey) {
    this.account = account;
    try {
      this.prototype = Mac.getInstance("HmacSHA256");
      prototype.init(new SecretKeySpec(Base64.getDecoder().decode(accountKey.value()), "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  static String date(ZonedDateTime now) {
    return HTTP_DATE.format(now);
  }

  String stringToSign(String verb, String contentType, String date, String path) {
    return verb + "\n" + "" + "\n" + contentType + "\n" + date + "\n" + "/" + account + path;
  }

  /** The Authorization header value. */
  String authorization(String verb, String contentType, String date, String path) {
    try {
      Mac mac = (Mac) prototype.clone(); // a Mac is not thread-safe; clones share the keyed state
      byte[] signature = mac.doFinal(stringToSign(verb, contentType, date, path).getBytes(StandardCharsets.UTF_8));
      return "SharedKey " + account + ":" + Base64.getEncoder().encodeToString(signature);
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("HmacSHA256 cannot be cloned", e);
    }
  }
}
