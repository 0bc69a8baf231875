package dev.cloudpc.reprovision.sandbox;

/**
 * The Windows 365 Graph limits the fake enforces, per 60 seconds: for each of Get Cloud PC and List Cloud PCs, a limit
 * per app (or, for delegated calls, per user) in the tenant and one for the whole tenant. Microsoft's numbers since
 * 2025-09-30 (microsoft-graph-docs-contrib, concepts/includes/throttling-windows-365.md): Get 270 per app, 540 per
 * tenant; List 90 per app, 180 per tenant.
 */
public record GraphLimits(int getPerApp, int getPerTenant, int listPerApp, int listPerTenant) {

  public GraphLimits {
    if (getPerApp < 1 || getPerTenant < 1 || listPerApp < 1 || listPerTenant < 1) {
      throw new IllegalArgumentException("every limit must be at least 1");
    }
  }

  public static GraphLimits documented() {
    return new GraphLimits(270, 540, 90, 180);
  }

  /** High enough that tests which are not about the budget never meet it. */
  public static GraphLimits generous() {
    return new GraphLimits(1_000_000, 2_000_000, 1_000_000, 2_000_000);
  }

  public boolean isDocumented() {
    return equals(documented());
  }
}
