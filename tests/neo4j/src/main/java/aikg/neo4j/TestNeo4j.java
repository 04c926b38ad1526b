package aikg.neo4j;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.neo4j.cli.AdminTool;
import org.neo4j.cli.ExecutionContext;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;

/**
 * A throwaway Neo4j Community for tests: Bolt on a free loopback port, auth disabled.
 *
 * <pre>
 *   java -cp CP aikg.neo4j.TestNeo4j WORKDIR                      an empty database
 *   java -cp CP aikg.neo4j.TestNeo4j WORKDIR import ARGS...       first runs "neo4j-admin ARGS"
 *                                                                  (e.g. database import full ...)
 * </pre>
 *
 * When ready it prints one line, {@code BOLT bolt://127.0.0.1:PORT}, on stdout; everything else
 * goes to stderr. It stops when stdin closes or on SIGTERM.
 */
public final class TestNeo4j {
    private TestNeo4j() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: TestNeo4j WORKDIR [import NEO4J-ADMIN-ARGS...]");
            System.exit(2);
        }
        PrintStream stdout = System.out;
        // Neo4j and the import tool talk on System.out; keep stdout for the one ready line.
        System.setOut(System.err);

        Path work = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(work);
        Neo4jBuilder builder = Neo4jBuilders.newInProcessBuilder(work)
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0));

        if (args.length > 1 && args[1].equals("import")) {
            Path home = Files.createTempDirectory(work, "import-home-");
            Files.createDirectories(home.resolve("conf"));
            String[] adminArgs = Arrays.copyOfRange(args, 2, args.length);
            int status = AdminTool.execute(new ExecutionContext(home, home.resolve("conf")), adminArgs);
            if (status != 0) {
                System.err.println("neo4j-admin " + String.join(" ", adminArgs) + " failed with status " + status);
                System.exit(3);
            }
            builder = builder.copyFrom(home);
        }

        Neo4j neo4j = builder.build();
        Runtime.getRuntime().addShutdownHook(new Thread(neo4j::close, "stop-neo4j"));
        stdout.println("BOLT " + neo4j.boltURI());
        stdout.flush();

        waitForEndOfInput(System.in);
        System.exit(0); // runs the shutdown hook, which stops Neo4j cleanly
    }

    private static void waitForEndOfInput(InputStream in) throws IOException {
        byte[] buffer = new byte[256];
        while (in.read(buffer) >= 0) {
            // The test process keeps our stdin open as long as it needs this server.
        }
    }
}
