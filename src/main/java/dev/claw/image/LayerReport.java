package dev.claw.image;

import java.util.List;

/**
 * What each layer put into an image, for {@code claw build --explain}: its packages and what
 * was cut or not done, in lines a person reads.
 *
 * @param layers one entry per layer, base first
 * @param notes what claw did instead of the packages' maintainer scripts, and what it skipped
 */
public record LayerReport(List<Layer> layers, List<String> notes) {

  public static final LayerReport EMPTY = new LayerReport(List.of(), List.of());

  /**
   * One layer.
   *
   * @param packages "name version" of each package the layer brought, sorted
   * @param droppedFiles files of those packages left out by the layer's cuts
   * @param droppedBytes their size
   */
  public record Layer(String name, String purpose, List<String> packages, int droppedFiles,
      long droppedBytes) {}
}
