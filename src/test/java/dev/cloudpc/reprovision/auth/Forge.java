package dev.cloudpc.reprovision.auth;

import dev.cloudpc.reprovision.sandbox.SandboxIdentity;
import dev.cloudpc.reprovision.sandbox.SandboxSeed;
import dev.cloudpc.reprovision.sandbox.SandboxUser;
import dev.cloudpc.reprovision.sandbox.TokenVersion;
import io.vertx.core.json.JsonObject;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;

/**
 * Caller tokens as an attacker or a careless client would make them: Entra-shaped claims from the sandbox identity,
 * then signed by the tenant's own key under any header, or by a foreign key the tenant never published.
 */
final class Forge {
  private final SandboxIdentity identity;
  private final KeyPair foreign;

  Forge(SandboxIdentity identity) {
    this.identity = identity;
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      this.foreign = generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The header the tenant's tokens carry: RS256 and its current kid. */
  JsonObject header() {
    return new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", identity.currentKid());
  }

  JsonObject user(SandboxUser user, List<String> scopes, List<String> roles) {
    return Jws.claims(identity.mintUserToken(user, scopes, roles, TokenVersion.V2, Duration.ofHours(1)));
  }

  JsonObject app(List<String> roles) {
    return Jws.claims(identity.mintApplicationToken(SandboxSeed.ADMIN_CALLER_APP_ID, roles, TokenVersion.V2,
        Duration.ofHours(1)));
  }

  /** Signed by the tenant's current key: valid exactly when the claims are. */
  String sign(JsonObject claims) {
    return identity.mint(claims);
  }

  /** The tenant's key under any header (RS256 signature, or none for {@code alg: none}). */
  String sign(JsonObject header, JsonObject claims) {
    return identity.mint(header, claims);
  }

  String foreign(JsonObject header, JsonObject claims) {
    return Jws.rs256(header, claims, foreign.getPrivate());
  }

  PublicKey tenantPublicKey() {
    return identity.currentKey().getPublic();
  }

  String currentKid() {
    return identity.currentKid();
  }
}
