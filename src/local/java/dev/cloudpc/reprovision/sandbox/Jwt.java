package dev.cloudpc.reprovision.sandbox;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;

/** Compact JWS with RS256: all of JOSE the sandbox needs. */
final class Jwt {

  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final String ALGORITHM = "SHA256withRSA";

  /** A token split into its parts; nothing here is verified yet. */
  record Parsed(JsonObject header, JsonObject claims, String signingInput, byte[] signature) {

    /** The header's kid, or null when absent or not a string (hostile tokens put anything there). */
    String kid() {
      return header.getValue("kid") instanceof String kid ? kid : null;
    }

    boolean isRs256() {
      return "RS256".equals(header.getValue("alg"));
    }
  }

  private Jwt() {
  }

  /** Signs with RS256 whatever the header says, except {@code alg: none}, which gets an empty signature. */
  static String sign(JsonObject header, JsonObject claims, PrivateKey key) {
    String input = encode(header) + "." + encode(claims);
    if ("none".equals(header.getValue("alg"))) {
      return input + ".";
    }
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(key);
      signer.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + ENCODER.encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RS256 signing failed", e);
    }
  }

  static Optional<Parsed> parse(String token) {
    if (token == null) {
      return Optional.empty();
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Parsed(decode(parts[0]), decode(parts[1]), parts[0] + "." + parts[1],
          DECODER.decode(parts[2])));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  static boolean signatureValid(Parsed token, PublicKey key) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(token.signingInput().getBytes(StandardCharsets.US_ASCII));
      return verifier.verify(token.signature());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Claims without any check: only for tokens already accepted (e.g. to read the caller's oid). */
  static JsonObject unverifiedClaims(String token) {
    return parse(token).map(Parsed::claims).orElseGet(JsonObject::new);
  }

  static String base64Url(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  private static String encode(JsonObject json) {
    return ENCODER.encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject decode(String part) {
    return new JsonObject(new String(DECODER.decode(part), StandardCharsets.UTF_8));
  }
}
