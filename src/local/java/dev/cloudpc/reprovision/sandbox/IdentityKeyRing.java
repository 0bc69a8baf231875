package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Optional;

/**
 * The identity's RSA key ring: the current key (published in the JWKS, used to sign) and the one before it (still
 * trusted for tokens issued before a rotation, as Entra keeps old keys valid for a while).
 */
final class IdentityKeyRing {

  record SigningKey(String kid, KeyPair pair) {

    JsonObject jwk() {
      RSAPublicKey key = (RSAPublicKey) pair.getPublic();
      return new JsonObject()
          .put("kty", "RSA")
          .put("use", "sig")
          .put("kid", kid)
          .put("alg", "RS256")
          .put("n", Jwt.base64Url(unsigned(key.getModulus())))
          .put("e", Jwt.base64Url(unsigned(key.getPublicExponent())));
    }
  }

  private final Vertx vertx;
  private volatile SigningKey current;
  private volatile SigningKey previous;

  private IdentityKeyRing(Vertx vertx, SigningKey first) {
    this.vertx = vertx;
    this.current = first;
  }

  /** RSA generation takes tens to hundreds of milliseconds: always on a worker thread. */
  static Future<IdentityKeyRing> generate(Vertx vertx) {
    return vertx.executeBlocking(() -> warmUp(newKey())).map(key -> new IdentityKeyRing(vertx, key));
  }

  Future<Void> rotate() {
    return vertx.executeBlocking(IdentityKeyRing::newKey).map(this::install);
  }

  private synchronized Void install(SigningKey key) {
    previous = current;
    current = key;
    return null;
  }

  SigningKey current() {
    return current;
  }

  /** The trusted key with this kid: the current one or the one rotated out last. */
  Optional<SigningKey> trusted(String kid) {
    SigningKey now = current;
    SigningKey before = previous;
    if (kid == null) {
      return Optional.empty();
    }
    if (now.kid().equals(kid)) {
      return Optional.of(now);
    }
    return before != null && before.kid().equals(kid) ? Optional.of(before) : Optional.empty();
  }

  /** Only the current key: after a rotation, clients that refetch must see the new key alone. */
  JsonObject jwks() {
    return new JsonObject().put("keys", new JsonArray().add(current.jwk()));
  }

  private static SigningKey newKey() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    KeyPair pair = generator.generateKeyPair();
    byte[] digest = MessageDigest.getInstance("SHA-256")
        .digest(((RSAPublicKey) pair.getPublic()).getModulus().toByteArray());
    return new SigningKey(Jwt.base64Url(Arrays.copyOf(digest, 20)), pair);
  }

  /**
   * Loads signature, JSON and random-id classes here on the worker thread, so the first request served on an
   * event loop does not pay for class loading and trip a strict blocked-thread checker.
   */
  private static SigningKey warmUp(SigningKey key) {
    String token = Jwt.sign(new JsonObject().put("alg", "RS256").put("kid", key.kid()),
        new JsonObject().put("warm", Ids.guid()).put("n", Ids.urlSafe(8)), key.pair().getPrivate());
    Jwt.parse(token).ifPresent(parsed -> Jwt.signatureValid(parsed, key.pair().getPublic()));
    Ids.nameGuid("warm-up");
    return key;
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
  }
}
