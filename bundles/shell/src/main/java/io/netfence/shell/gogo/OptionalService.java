package io.netfence.shell.gogo;

import java.util.function.Supplier;

/**
 * An optional, dynamic service reference of a command component, held as an Object so that the
 * component class loads (and SCR can reflect on it) when the service's optional API package is not
 * there. The commands read it through {@link #get()} each time they run.
 */
final class OptionalService implements Supplier<Object> {
    private volatile Object service;

    synchronized void bind(Object s) {
        service = s;
    }

    /** Called after the bind of a replacement, if any: only the service being removed is dropped. */
    synchronized void unbind(Object s) {
        if (service == s) {
            service = null;
        }
    }

    @Override
    public Object get() {
        return service;
    }
}
