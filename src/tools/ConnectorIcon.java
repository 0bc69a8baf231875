import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Arc2D;
import java.awt.geom.Path2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import javax.imageio.ImageIO;

/**
 * Draws the connector's icon: a white Cloud PC screen with a rebuild arrow on the brand colour (apiProperties.json's
 * iconBrandColor), square and opaque as Power Platform shows connector icons. Run from the repository root:
 * {@code java src/tools/ConnectorIcon.java src/main/resources/connector/icon.png}
 */
public final class ConnectorIcon {
  static final int SIZE = 230;
  static final Color BRAND = new Color(0x00, 0x78, 0xD4);

  public static void main(String[] args) throws IOException {
    BufferedImage icon = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = icon.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
    g.setColor(BRAND);
    g.fillRect(0, 0, SIZE, SIZE);
    g.setColor(Color.WHITE);
    g.setStroke(new BasicStroke(10f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(new RoundRectangle2D.Double(40, 48, 150, 104, 14, 14));   // the screen
    g.fillRect(104, 152, 22, 18);                                      // its stand
    g.fill(new RoundRectangle2D.Double(76, 168, 78, 12, 6, 6));        // and foot
    g.setStroke(new BasicStroke(9f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
    g.draw(new Arc2D.Double(87, 72, 56, 56, 110, 290, Arc2D.OPEN));    // the rebuild circle
    Path2D head = new Path2D.Double();                                 // and its arrow head
    head.moveTo(95, 64);
    head.lineTo(118, 72);
    head.lineTo(100, 88);
    head.closePath();
    g.fill(head);
    g.dispose();
    ImageIO.write(icon, "png", new File(args[0]));
  }
}
