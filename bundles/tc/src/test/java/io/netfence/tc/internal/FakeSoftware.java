package io.netfence.tc.internal;

/** The software dataplane, as the core sees it: it drives every device and never counts as hardware. */
final class FakeSoftware extends RecordingProvider {
    FakeSoftware() {
        super("software");
    }

    @Override
    public boolean software() {
        return true;
    }

    @Override
    public boolean drives(String dev) {
        return true;
    }
}
