import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.protocol.RequestCode;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeader;
import org.apache.rocketmq.common.protocol.header.SendMessageRequestHeaderV2;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

/**
 * The official 4.8.0 client against an rmq cluster with the ACL (and TLS) on, in one JVM. Each
 * stdin line is one step; each prints one line ("ok …", "refused CODE DESC", "consumed N") or,
 * for mqadmin, its output as "| …" lines, then "END":
 *
 *   vector                                   a SEND_MESSAGE_V2 signed by AclClientRPCHook:
 *                                            "field KEY VALUE" lines, "signature S", "END"
 *   send NS TOPIC AK SK TLS [N]              a producer sends N (default 3) messages
 *   consume NS TOPIC GROUP AK SK TLS N MS    a push consumer waits up to MS for N messages
 *   createTopic NS BROKER TOPIC AK SK TLS    DefaultMQAdminExt creates a topic (an admin code)
 *   mqadmin ARGS…                            mqadmin, signing with conf/tools.yml under
 *                                            -Drocketmq.home.dir when that file has keys
 *
 * AK "-" means no ACL hook; TLS is "tls" or "plain".
 */
public class AclScenario {
  static final AtomicInteger SEQ = new AtomicInteger();

  static RPCHook hook(String ak, String sk) {
    return "-".equals(ak) ? null : new AclClientRPCHook(new SessionCredentials(ak, sk));
  }

  static String refusal(Throwable e) {
    while (e.getCause() != null && !(e instanceof MQBrokerException)) e = e.getCause();
    if (e instanceof MQBrokerException) {
      MQBrokerException b = (MQBrokerException) e;
      return "refused " + b.getResponseCode() + " " + b.getErrorMessage();
    }
    if (e instanceof MQClientException) {
      MQClientException c = (MQClientException) e;
      return "refused " + c.getResponseCode() + " " + String.valueOf(c.getErrorMessage()).split("\n")[0];
    }
    return "refused -1 " + e;
  }

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = System.out;
    String line;
    while ((line = in.readLine()) != null) {
      String[] a = line.trim().split("\\s+");
      if (a.length == 0 || a[0].isEmpty()) continue;
      try {
        switch (a[0]) {
          case "vector": vector(out); break;
          case "send": out.println(send(a[1], a[2], a[3], a[4], a[5].equals("tls"), a.length > 6 ? Integer.parseInt(a[6]) : 3)); break;
          case "consume": out.println(consume(a[1], a[2], a[3], a[4], a[5], a[6].equals("tls"), Integer.parseInt(a[7]), Long.parseLong(a[8]))); break;
          case "createTopic": out.println(createTopic(a[1], a[2], a[3], a[4], a[5], a[6].equals("tls"))); break;
          case "mqadmin": MqadminScenario.mqadmin(java.util.Arrays.copyOfRange(a, 1, a.length)); break;
          default: out.println("unknown step " + a[0]);
        }
      } catch (Throwable t) {
        out.println(refusal(t));
      }
      out.flush();
    }
    System.exit(0);
  }

  static void vector(PrintStream out) throws Exception {
    SendMessageRequestHeader h = new SendMessageRequestHeader();
    h.setProducerGroup("PID_ACL");
    h.setTopic("TopicAcl");
    h.setDefaultTopic("TBW102");
    h.setDefaultTopicQueueNums(4);
    h.setQueueId(1);
    h.setSysFlag(0);
    h.setBornTimestamp(1700000000000L);
    h.setFlag(0);
    h.setProperties("KEYSk1\u0001TAGSt\u0001UNIQ_KEY7F0000010001\u0002");
    h.setReconsumeTimes(0);
    h.setUnitMode(false);
    h.setBatch(false);
    SendMessageRequestHeaderV2 v2 = SendMessageRequestHeaderV2.createSendMessageRequestHeaderV2(h);
    RemotingCommand cmd = RemotingCommand.createRequestCommand(RequestCode.SEND_MESSAGE_V2, v2);
    cmd.setBody("Hello ACL \u00e9".getBytes(StandardCharsets.UTF_8));
    new AclClientRPCHook(new SessionCredentials("RocketMQ", "12345678")).doBeforeRequest("127.0.0.1:10911", cmd);
    cmd.makeCustomHeaderToNet();
    for (java.util.Map.Entry<String, String> e : new TreeMap<>(cmd.getExtFields()).entrySet()) {
      if (!e.getKey().equals("Signature")) out.println("field " + e.getKey() + " " + e.getValue());
    }
    out.println("signature " + cmd.getExtFields().get("Signature"));
    out.println("END");
  }

  static String send(String ns, String topic, String ak, String sk, boolean tls, int n) throws Exception {
    DefaultMQProducer p = new DefaultMQProducer("AclProducer" + SEQ.incrementAndGet(), hook(ak, sk));
    p.setNamesrvAddr(ns);
    p.setUseTLS(tls);
    p.setInstanceName("acl-" + SEQ.get());
    p.setRetryTimesWhenSendFailed(0);
    p.start();
    try {
      StringBuilder ids = new StringBuilder("ok");
      for (int i = 0; i < n; i++) {
        SendResult r = p.send(new Message(topic, "TagA", ("acl " + i).getBytes(StandardCharsets.UTF_8)));
        ids.append(' ').append(r.getSendStatus());
      }
      return ids.toString();
    } finally {
      p.shutdown();
    }
  }

  static String consume(String ns, String topic, String group, String ak, String sk, boolean tls, int n, long ms) throws Exception {
    DefaultMQPushConsumer c = new DefaultMQPushConsumer(group, hook(ak, sk), new AllocateMessageQueueAveragely());
    c.setNamesrvAddr(ns);
    c.setUseTLS(tls);
    c.setInstanceName("acl-" + SEQ.incrementAndGet());
    c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
    c.subscribe(topic, "*");
    final AtomicInteger got = new AtomicInteger();
    final CountDownLatch done = new CountDownLatch(n);
    c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
      for (int i = 0; i < msgs.size(); i++) {
        got.incrementAndGet();
        done.countDown();
      }
      return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
    });
    c.start();
    try {
      done.await(ms, TimeUnit.MILLISECONDS);
      return "consumed " + got.get();
    } finally {
      c.shutdown();
    }
  }

  static String createTopic(String ns, String broker, String topic, String ak, String sk, boolean tls) throws Exception {
    DefaultMQAdminExt admin = new DefaultMQAdminExt(hook(ak, sk));
    admin.setNamesrvAddr(ns);
    admin.setUseTLS(tls);
    admin.setInstanceName("acl-admin-" + SEQ.incrementAndGet());
    admin.start();
    try {
      TopicConfig tc = new TopicConfig(topic, 2, 2, 6);
      admin.createAndUpdateTopicConfig(broker, tc);
      return "ok";
    } finally {
      admin.shutdown();
    }
  }
}
