import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * The official 4.8.0 TransactionMQProducer against a broker: args NAMESRV TOPIC BODY...; each
 * body's name decides the local transaction (commit, rollback, anything else UNKNOW) and what a
 * check answers (unknown-commit → COMMIT, unknown-rollback → ROLLBACK, restart → UNKNOW until
 * the line "restarted" arrives on stdin, then COMMIT). Prints "sent BODY STATUS STATE", then
 * "checked BODY" for every check, until stdin closes.
 */
public class TransactionScenario {
  public static void main(String[] args) throws Exception {
    final AtomicBoolean restarted = new AtomicBoolean(false);
    TransactionMQProducer p = new TransactionMQProducer("JavaTxGroup");
    p.setNamesrvAddr(args[0]);
    p.setHeartbeatBrokerInterval(1000);
    p.setPollNameServerInterval(1000);
    p.setTransactionListener(new TransactionListener() {
      public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
        String body = new String(msg.getBody(), StandardCharsets.UTF_8);
        if (body.equals("commit")) return LocalTransactionState.COMMIT_MESSAGE;
        if (body.equals("rollback")) return LocalTransactionState.ROLLBACK_MESSAGE;
        return LocalTransactionState.UNKNOW;
      }

      public LocalTransactionState checkLocalTransaction(MessageExt msg) {
        String body = new String(msg.getBody(), StandardCharsets.UTF_8);
        System.out.println("checked " + body + " " + msg.getTopic());
        System.out.flush();
        if (body.equals("unknown-commit")) return LocalTransactionState.COMMIT_MESSAGE;
        if (body.equals("unknown-rollback")) return LocalTransactionState.ROLLBACK_MESSAGE;
        if (body.equals("restart") && restarted.get()) return LocalTransactionState.COMMIT_MESSAGE;
        return LocalTransactionState.UNKNOW;
      }
    });
    p.start();
    for (int i = 2; i < args.length; i++) {
      Message m = new Message(args[1], "TagTx", args[i].getBytes(StandardCharsets.UTF_8));
      TransactionSendResult r = p.sendMessageInTransaction(m, null);
      System.out.println("sent " + args[i] + " " + r.getSendStatus() + " " + r.getLocalTransactionState());
      System.out.flush();
    }
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("restarted")) restarted.set(true);
    }
    p.shutdown();
    System.exit(0);
  }
}
