import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.tools.command.MQAdminStartup;

/**
 * mqadmin, the official 4.8.0 admin tool, run in this JVM beside a live consumer so the commands
 * that reach a client through the broker have one to reach. Args: NAMESRV TOPIC GROUP.
 * Sends 10 messages, consumes them with a push consumer, commits its offsets, then prints
 * "ready CLIENT_ID OFFSET_MSG_ID" and runs each stdin line as an mqadmin command line, printing
 * what it wrote as lines "| ..." followed by "END".
 */
public class MqadminScenario {
  public static void main(String[] args) throws Exception {
    String ns = args[0];
    String topic = args[1];
    String group = args[2];
    DefaultMQProducer producer = new DefaultMQProducer("MqadminScenarioProducer");
    producer.setNamesrvAddr(ns);
    producer.start();
    String offsetMsgId = null;
    for (int i = 0; i < 10; i++) {
      SendResult r = producer.send(new Message(topic, "TagA", ("m" + i).getBytes(StandardCharsets.UTF_8)));
      if (offsetMsgId == null) offsetMsgId = r.getOffsetMsgId();
    }
    final CountDownLatch consumed = new CountDownLatch(10);
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(group);
    consumer.setNamesrvAddr(ns);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (int i = 0; i < msgs.size(); i++) consumed.countDown();
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();
    if (!consumed.await(60, TimeUnit.SECONDS)) {
      System.out.println("consumed only " + (10 - consumed.getCount()));
      System.exit(1);
    }
    // The offsets move once the listener returns; then they go to the broker now, not in 5 s.
    Thread.sleep(500);
    consumer.getDefaultMQPushConsumerImpl().persistConsumerOffset();
    Thread.sleep(200);
    String clientId = consumer.getDefaultMQPushConsumerImpl().getmQClientFactory().getClientId();
    System.out.println("ready " + clientId + " " + offsetMsgId);

    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.trim().isEmpty()) continue;
      mqadmin(line.trim().split("\\s+"));
    }
    consumer.shutdown();
    producer.shutdown();
  }

  /** Runs one mqadmin command line, printing what it wrote as "| …" lines, then "END". */
  static void mqadmin(String[] args) throws Exception {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream captured = new PrintStream(buf, true, "UTF-8");
    System.setOut(captured);
    System.setErr(captured);
    try {
      MQAdminStartup.main(args);
    } catch (Throwable t) {
      t.printStackTrace(captured);
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    for (String l : buf.toString("UTF-8").split("\n", -1)) out.println("| " + l);
    out.println("END");
  }
}
