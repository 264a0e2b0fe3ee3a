import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * SQL92 selection with the official 4.8.0 client: sends ten messages with properties a (0..9)
 * and color, then consumes with MessageSelector.bySql(args[2]) and prints "got BODY" for each
 * message delivered, then "done" once WANT (args[3]) messages came or 20 s passed. A selector
 * the broker refuses prints "refused REASON".
 */
public class SqlFilterScenario {
  public static void main(String[] args) throws Exception {
    String ns = args[0];
    String topic = args[1];
    int want = Integer.parseInt(args[3]);
    DefaultMQProducer p = new DefaultMQProducer("JavaSqlProducer");
    p.setNamesrvAddr(ns);
    p.start();
    for (int i = 0; i < 10; i++) {
      Message m = new Message(topic, i % 2 == 0 ? "even" : "odd", ("m" + i).getBytes(StandardCharsets.UTF_8));
      m.putUserProperty("a", String.valueOf(i));
      m.putUserProperty("color", i < 5 ? "red" : "blue");
      p.send(m);
    }
    final Set<String> got = new TreeSet<>();
    DefaultMQPushConsumer c = new DefaultMQPushConsumer("JavaSqlGroup-" + topic);
    c.setNamesrvAddr(ns);
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe(topic, MessageSelector.bySql(args[2]));
    c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (MessageExt m : msgs) {
        synchronized (got) {
          if (got.add(new String(m.getBody(), StandardCharsets.UTF_8))) {
            System.out.println("got " + new String(m.getBody(), StandardCharsets.UTF_8));
          }
        }
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    try {
      c.start();
    } catch (Exception e) {
      System.out.println("refused " + e.getMessage().split("\n")[0]);
      p.shutdown();
      System.exit(0);
    }
    long deadline = System.currentTimeMillis() + 20000;
    while (System.currentTimeMillis() < deadline) {
      synchronized (got) {
        if (got.size() >= want) break;
      }
      Thread.sleep(50);
    }
    Thread.sleep(1000); // Anything selected wrongly would arrive now.
    System.out.println("done");
    System.out.flush();
    c.shutdown();
    p.shutdown();
    System.exit(0);
  }
}
