/**
 * Writes a tradesv3.sqlite in freqtrade's real `trades` schema (column names and
 * types as in freqtrade/persistence/trade_model.py; dates stored as naive UTC
 * 'YYYY-MM-DD HH:MM:SS.ffffff', booleans as 0/1) with sql.js — built here rather
 * than copied from freqtrade's GPL test data.
 */
import * as fs from 'node:fs';
import initSqlJs from 'sql.js';

export interface FreqtradeDbTrade {
  id: number;
  pair: string;
  is_open: 0 | 1;
  open_rate: number | null;
  close_rate: number | null;
  amount: number;
  fee_open: number;
  fee_close: number;
  open_date: string;
  close_date: string | null;
  strategy: string;
  exit_reason: string | null;
  is_short: 0 | 1;
  close_profit_abs: number | null;
  funding_fees?: number;
}

const SCHEMA = `CREATE TABLE trades (
  id INTEGER NOT NULL PRIMARY KEY, exchange VARCHAR(25) NOT NULL, pair VARCHAR(25) NOT NULL,
  base_currency VARCHAR(25), stake_currency VARCHAR(25), is_open BOOLEAN NOT NULL,
  fee_open FLOAT NOT NULL, fee_open_cost FLOAT, fee_open_currency VARCHAR(25),
  fee_close FLOAT NOT NULL, fee_close_cost FLOAT, fee_close_currency VARCHAR(25),
  open_rate FLOAT NOT NULL, open_rate_requested FLOAT, open_trade_value FLOAT,
  close_rate FLOAT, close_rate_requested FLOAT, realized_profit FLOAT,
  close_profit FLOAT, close_profit_abs FLOAT, stake_amount FLOAT NOT NULL, max_stake_amount FLOAT,
  amount FLOAT, amount_requested FLOAT, open_date DATETIME NOT NULL, close_date DATETIME,
  stop_loss FLOAT, stop_loss_pct FLOAT, initial_stop_loss FLOAT, initial_stop_loss_pct FLOAT,
  is_stop_loss_trailing BOOLEAN NOT NULL DEFAULT 0, max_rate FLOAT, min_rate FLOAT,
  exit_reason VARCHAR(100), exit_order_status VARCHAR(100), strategy VARCHAR(100),
  enter_tag VARCHAR(100), timeframe INTEGER, trading_mode VARCHAR(15), amount_precision FLOAT,
  price_precision FLOAT, precision_mode INTEGER, contract_size FLOAT, leverage FLOAT,
  is_short BOOLEAN NOT NULL, liquidation_price FLOAT, interest_rate FLOAT NOT NULL DEFAULT 0,
  funding_fees FLOAT, funding_fee_running FLOAT, record_version INTEGER NOT NULL DEFAULT 0
)`;

export async function writeFreqtradeDb(file: string, trades: readonly FreqtradeDbTrade[], opts: { withoutTradesTable?: boolean } = {}): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  if (opts.withoutTradesTable) db.run('CREATE TABLE pairlocks (id INTEGER PRIMARY KEY, pair VARCHAR(25))');
  else {
    db.run(SCHEMA);
    const st = db.prepare(
      `INSERT INTO trades (id, exchange, pair, base_currency, stake_currency, is_open, fee_open, fee_close, open_rate, close_rate,
        close_profit_abs, stake_amount, amount, open_date, close_date, exit_reason, strategy, timeframe, trading_mode, leverage, is_short, funding_fees)
       VALUES (?, 'binance', ?, ?, 'USDT', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 5, 'spot', 1.0, ?, ?)`,
    );
    for (const t of trades) {
      st.run([
        t.id, t.pair, t.pair.split('/')[0], t.is_open, t.fee_open, t.fee_close, t.open_rate, t.close_rate,
        t.close_profit_abs, (t.open_rate ?? 0) * t.amount, t.amount, t.open_date, t.close_date, t.exit_reason, t.strategy, t.is_short, t.funding_fees ?? 0,
      ]);
    }
    st.free();
  }
  fs.writeFileSync(file, Buffer.from(db.export()));
  db.close();
}
