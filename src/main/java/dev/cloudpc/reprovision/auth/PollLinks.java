package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.config.Secret;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed polling links: the Location of an accepted reprovision carries {@code sig}, an HMAC of its path and an
 * expiry, so a flow's poll is answered even when the platform does not resend the caller's Authorization header.
 * A valid signature lets the request through as a {@link #POLLER} that may read that one operation and nothing else.
 * The key is OPERATION_URL_SECRET (shared by all instances) or, unset, a random per-process key — links then work on
 * the instance that issued them and elsewhere fall back to the caller's token.
 */
public final class PollLinks implements Handler<RoutingContext> {
  public static final String PARAM = "sig";
  /** Context key marking a request authorised by a valid polling link. */
  public static final String POLLER = "pollLink";
  private static final Duration LIFETIME = Duration.ofHours(24);

  private final byte[] key;

  public PollLinks(Optional<Secret> configured) {
    this.key = configured.map(s -> s.value().getBytes(StandardCharsets.UTF_8)).orElseGet(() -> {
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      return random;
    });
  }

  /** The {@code sig} value for {@code path}, valid for a day. */
  public String sign(String path) {
    long expires = Instant.now().plus(LIFETIME).getEpochSecond();
    return expires + "." + mac(path, expires);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String sig = ctx.request().getParam(PARAM);
    if (sig != null && valid(ctx.request().path(), sig)) {
      ctx.put(POLLER, true);
    }
    ctx.next();
  }

  public static boolean isPoller(RoutingContext ctx) {
    return Boolean.TRUE.equals(ctx.get(POLLER));
  }

  boolean valid(String path, String sig) {
    int dot = sig.indexOf('.');
    if (dot < 1) {
      return false;
    }
    try {
      long expires = Long.parseLong(sig.substring(0, dot));
      return Instant.now().getEpochSecond() <= expires && MessageDigest.isEqual(
          mac(path, expires).getBytes(StandardCharsets.US_ASCII), sig.substring(dot + 1)
              .getBytes(StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private String mac(String path, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal((path + "|" + expires).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
