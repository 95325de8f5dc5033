package io.netfence.shell.gogo;

import io.netfence.shell.log.LogCommand;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;

/** The Gogo command {@code netfence:log}; it keeps the loggers it configured (JUL holds them weakly). */
@Component(service = Object.class, immediate = true, property = {
        "osgi.command.scope=netfence", "osgi.command.function=log"})
public class LogShell {
    private final LogCommand log = new LogCommand();

    @Descriptor("show and set log levels: log level [LOGGER] LEVEL, log handler [HANDLER] LEVEL, log show, log help")
    public Object log(@Descriptor("a command and its arguments") String... args) {
        return log.execute(args);
    }
}
