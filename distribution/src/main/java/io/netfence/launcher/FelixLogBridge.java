package io.netfence.launcher;

import java.util.logging.Level;
import org.apache.felix.framework.Logger;
import org.osgi.framework.ServiceReference;

/**
 * Sends the Felix framework's own log (resolution errors, bundle exceptions) to java.util.logging,
 * so it lands in the appliance's log file rather than on the console. Felix formats messages in
 * two places: per bundle (the five-argument form) and from its resolver (the three-argument form).
 */
final class FelixLogBridge extends Logger {
    private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger("org.apache.felix.framework");

    FelixLogBridge() {
        // The resolver's DEBUG output (one line per wire) is never wanted; INFO and above are.
        setLogLevel(LOG_INFO);
    }

    @Override
    @SuppressWarnings("rawtypes") // Felix declares the raw type; ServiceReference<?> would not override it
    protected void doLog(org.osgi.framework.Bundle bundle, ServiceReference sr, int level, String msg, Throwable t) {
        String who = bundle == null ? "" : "[" + bundle.getSymbolicName() + "] ";
        doLog(level, who + msg, t);
    }

    @Override
    protected void doLog(int level, String msg, Throwable t) {
        Level l = switch (level) {
            case LOG_ERROR -> Level.SEVERE;
            case LOG_WARNING -> Level.WARNING;
            case LOG_INFO -> Level.INFO;
            default -> Level.FINE;
        };
        if (LOG.isLoggable(l)) {
            LOG.log(l, msg, t);
        }
    }
}
