package io.netfence.tc.internal;

import java.util.Set;

/** An offload device in the manner of Linux's netdevsim: drives the ports it is given, with the knobs of {@link RecordingProvider}. */
final class FakeDevice extends RecordingProvider {
    private final Set<String> ports;

    FakeDevice(String name, String... ports) {
        super(name);
        this.ports = Set.of(ports);
    }

    @Override
    public boolean software() {
        return false;
    }

    @Override
    public boolean drives(String dev) {
        return ports.contains(dev);
    }
}
