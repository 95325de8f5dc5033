package io.netfence.shell.ip;

import io.netfence.net.api.LinkInfo;
import io.netfence.net.api.NetException;
import io.netfence.net.api.NetService;
import io.netfence.shell.text.CommandException;
import java.util.function.Supplier;

/** Calls into {@link NetService} with its refusals turned into the operator's error message. */
final class NetCalls {
    private NetCalls() {
    }

    static <T> T get(Supplier<T> call) {
        try {
            return call.get();
        } catch (NetException e) {
            throw CommandException.refused(e);
        }
    }

    static void run(Runnable call) {
        try {
            call.run();
        } catch (NetException e) {
            throw CommandException.refused(e);
        }
    }

    /** The link named {@code name}; refuses with the service's "Device ... does not exist." */
    static LinkInfo device(NetService net, String name) {
        return get(() -> net.link(name));
    }
}
