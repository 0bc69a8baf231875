package dev.cloudpc.reprovision.auth;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Compact JWS forging for hostile tests: any header and claims, signed RS256 by any key or HMAC'd by any secret. */
final class Jws {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private Jws() {
  }

  static JsonObject header(String token) {
    return part(token, 0);
  }

  static JsonObject claims(String token) {
    return part(token, 1);
  }

  static String rs256(JsonObject header, JsonObject claims, PrivateKey key) {
    String input = input(header, claims);
    try {
      Signature signer = Signature.getInstance("SHA256withRSA");
      signer.initSign(key);
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + ENCODER.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The classic key-confusion forgery: HS256 keyed with bytes every client can get (the public key). */
  static String hs256(JsonObject claims, String kid, byte[] secret) {
    String input = input(new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", kid), claims);
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return input + "." + ENCODER.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The signed token with its payload swapped for {@code claims}: the signature no longer covers what it says. */
  static String withPayload(String token, JsonObject claims) {
    String[] parts = token.split("\\.", -1);
    return parts[0] + "." + encode(claims) + "." + parts[2];
  }

  static String encode(JsonObject json) {
    return ENCODER.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String input(JsonObject header, JsonObject claims) {
    return encode(header) + "." + encode(claims);
  }

  private static JsonObject part(String token, int index) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.", -1)[index]),
        StandardCharsets.UTF_8));
  }
}
