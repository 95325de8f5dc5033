package io.netfence.launcher;

import java.util.logging.Level;
import org.apache.felix.framework.Logger;
import org.osgi.framework.ServiceReference;

/** Sends the Felix framework's own log (resolution errors, bundle exceptions) to java.util.logging. */
final class FelixLogBridge extends Logger {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("org.apache.felix.framework");

    FelixLogBridge() {
        setLogLevel(LOG_DEBUG);
    }

    @Override
    @SuppressWarnings("rawtypes") // Felix declares the raw type; ServiceReference<?> would not override it
    protected void doLog(org.osgi.framework.Bundle bundle, ServiceReference sr, int level, String msg, Throwable t) {
        Level l = switch (level) {
            case LOG_ERROR -> Level.SEVERE;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.FINE;
        };
        if (!LOG.isLoggable(l)) {
            return;
        }
        String who = bundle == null ? "" : "[" + bundle.getSymbolicName() + "] ";
        LOG.log(l, who + msg, t);
    }
}
