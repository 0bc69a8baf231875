package dev.cloudpc.reprovision.http;

/**
 * Headers the Azure Functions entry point adds when it hands a request to the router over loopback. They are trusted
 * only with the per-process hand-over secret, and stripped from every other request, so no outside caller can claim
 * that a function key was checked or stretch its deadline.
 */
public final class Handover {
  public static final String SECRET = "x-reprovision-handover";
  public static final String INVOCATION_ID = "x-reprovision-invocation-id";
  public static final String DEADLINE_MS = "x-reprovision-deadline-ms";
  public static final String KEY_VERIFIED = "x-reprovision-key-verified";
  /** Scheme and authority of the URL the caller used (the router itself only sees loopback). */
  public static final String ORIGIN = "x-reprovision-origin";
  /**
   * {@code true}: the caller announced a body (Transfer-Encoding or Content-Length &gt; 0) that the Functions host did
   * not deliver — it forwards a body only when Content-Length &gt; 0 (azure-functions-host issues 4926, 7930).
   */
  public static final String BODY_DROPPED = "x-reprovision-body-dropped";
  static final String PREFIX = "x-reprovision-";

  private Handover() {
  }
}
