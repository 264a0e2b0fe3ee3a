import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.RequestCallback;
import org.apache.rocketmq.client.utils.MessageUtil;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Request-reply with the official 4.8.0 client on both ends: a responder (push consumer that
 * answers with MessageUtil.createReplyMessage) and a requester (request() sync, then with a
 * callback). Args: NAMESRV TOPIC. Prints "sync REPLY" and "async REPLY".
 */
public class RequestReplyScenario {
  public static void main(String[] args) throws Exception {
    String ns = args[0];
    String topic = args[1];
    final DefaultMQProducer replier = new DefaultMQProducer("JavaReplierProducer");
    replier.setNamesrvAddr(ns);
    replier.start();
    DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("JavaReplier");
    consumer.setNamesrvAddr(ns);
    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    consumer.subscribe(topic, "*");
    consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (MessageExt m : msgs) {
        try {
          String body = new String(m.getBody(), StandardCharsets.UTF_8);
          Message reply = MessageUtil.createReplyMessage(m, ("reply:" + body).getBytes(StandardCharsets.UTF_8));
          replier.send(reply);
        } catch (Exception e) {
          System.out.println("reply failed " + e);
        }
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    consumer.start();

    DefaultMQProducer requester = new DefaultMQProducer("JavaRequester");
    requester.setNamesrvAddr(ns);
    requester.start();
    Message sync = new Message(topic, "req", "one".getBytes(StandardCharsets.UTF_8));
    Message r = requester.request(sync, 15000);
    System.out.println("sync " + new String(r.getBody(), StandardCharsets.UTF_8) + " " + r.getTopic());
    final CountDownLatch done = new CountDownLatch(1);
    Message async = new Message(topic, "req", "two".getBytes(StandardCharsets.UTF_8));
    requester.request(async, new RequestCallback() {
      public void onSuccess(Message m) {
        System.out.println("async " + new String(m.getBody(), StandardCharsets.UTF_8));
        done.countDown();
      }

      public void onException(Throwable e) {
        System.out.println("async failed " + e);
        done.countDown();
      }
    }, 15000);
    done.await(20, TimeUnit.SECONDS);
    System.out.flush();
    requester.shutdown();
    consumer.shutdown();
    replier.shutdown();
    System.exit(0);
  }
}
