package dev.stigmer.it;

import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.Stream;

/** The Java SDK conformance suite against the embedded Temporal, the default on a fresh machine. */
@ExtendWith(StackExtension.class)
class EmbeddedConformanceTest {

    @TestFactory
    Stream<DynamicNode> javaSdkBehavesAsOnARealTemporal(Stack stack) {
        stack.start();
        JavaSdkConformance suite = new JavaSdkConformance(stack);
        return suite.freshAndAfterKillNine().onClose(suite::close);
    }
}
