package dev.stigmer.it;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The Java SDK conformance suite through the real-CLI code path (`temporal server start-dev`
 * with its flags), served by a stand-in `temporal` that execs the embedded server.
 */
@ExtendWith(StackExtension.class)
class RealCliConformanceTest {

    @TestFactory
    Stream<DynamicNode> javaSdkBehavesAsOnARealTemporal(Stack stack) throws IOException {
        Path bin = StandIns.serving(stack.home.resolveSibling("bin"), stack.home.resolveSibling("args.txt"));
        stack.start("--temporal-bin", bin.toString());
        JavaSdkConformance suite = new JavaSdkConformance(stack);
        return suite.freshAndAfterKillNine().onClose(suite::close);
    }
}
