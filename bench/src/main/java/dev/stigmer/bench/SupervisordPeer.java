package dev.stigmer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * supervisord 4 supervising the very same embedded Temporal command line, configured as a
 * careful user would: autorestart, stop and kill as a group, 10 s stop grace.
 */
final class SupervisordPeer implements Peer {
    private final Path dir;
    private final int port;
    private final Path config;

    SupervisordPeer(Path dir, int port, List<String> temporalCommand) throws IOException {
        this.dir = dir;
        this.port = port;
        this.config = dir.resolve("supervisord.conf");
        String command = temporalCommand.stream().map(SupervisordPeer::quote).collect(Collectors.joining(" "));
        Files.writeString(config, header(dir) + """

                [program:temporal]
                command=%2$s
                autostart=true
                autorestart=true
                startsecs=1
                startretries=3
                stopasgroup=true
                killasgroup=true
                stopwaitsecs=10
                redirect_stderr=true
                stdout_logfile=%1$s/temporal.log
                """.formatted(dir, command));
    }

    /** The supervisord and supervisorctl sections every configuration here starts with, in {@code dir}. */
    static String header(Path dir) {
        return """
                [unix_http_server]
                file=%1$s/supervisor.sock
                chmod=0700

                [supervisord]
                logfile=%1$s/supervisord.log
                pidfile=%1$s/supervisord.pid
                childlogdir=%1$s
                nodaemon=false

                [rpcinterface:supervisor]
                supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

                [supervisorctl]
                serverurl=unix://%1$s/supervisor.sock
                """.formatted(dir);
    }

    private static String quote(String arg) {
        return arg.matches("[A-Za-z0-9_./:=*+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    @Override
    public String name() {
        return "supervisord";
    }

    @Override
    public int port() {
        return port;
    }

    private List<String> ctl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("supervisorctl", "-c", config.toString()));
        command.addAll(List.of(args));
        return command;
    }

    @Override
    public void coldStart() {
        Bench.runChecked(Map.of(), List.of("supervisord", "-c", config.toString()));
    }

    @Override
    public Bench.Run idempotentCall() {
        return Bench.runChecked(Map.of(), ctl("status"));
    }

    @Override
    public List<String> statusCommand() {
        return ctl("status");
    }

    @Override
    public long supervisorPid() {
        try {
            long pid = Long.parseLong(Files.readString(dir.resolve("supervisord.pid")).trim());
            return dev.stigmer.process.ProcessIdentity.of(pid).isPresent() ? pid : -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public long temporalPid() {
        long supervisor = supervisorPid();
        return supervisor < 0 ? -1 : Bench.children(supervisor).stream().findFirst().orElse(-1L);
    }

    @Override
    public void stop() {
        long supervisor = supervisorPid();
        long temporal = temporalPid();
        Bench.runChecked(Map.of(), ctl("shutdown"));
        // supervisorctl shutdown returns before supervisord is done: wait for both to be gone.
        while (dev.stigmer.process.ProcessIdentity.of(supervisor).isPresent()
                || (temporal > 0 && dev.stigmer.process.ProcessIdentity.of(temporal).isPresent())) {
            Bench.sleep(2);
        }
    }

    @Override
    public boolean nothingLeft() {
        return supervisorPid() < 0;
    }

    @Override
    public void close() {
        if (supervisorPid() > 0) {
            Bench.run(Map.of(), ctl("shutdown"));
        }
    }
}
