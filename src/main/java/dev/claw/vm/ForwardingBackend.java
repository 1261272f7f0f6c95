package dev.claw.vm;

import java.io.IOException;
import java.util.Optional;

/**
 * A backend that is another backend with one thing changed: everything is passed on to
 * {@code delegate} except what a subclass overrides, usually how a VM starts.
 */
public abstract class ForwardingBackend implements VmBackend {
  protected final VmBackend delegate;

  protected ForwardingBackend(VmBackend delegate) {
    this.delegate = delegate;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String identity() {
    return delegate.identity();
  }

  @Override
  public void checkInstalled() {
    delegate.checkInstalled();
  }

  @Override
  public Optional<Owner> vmmOwner() {
    return delegate.vmmOwner();
  }

  @Override
  public VmProcess start(VmSpec spec) throws IOException {
    return delegate.start(spec);
  }
}
