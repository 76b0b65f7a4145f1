"""Real-looking code snippets with planted copies, shared by the clone tests."""

PY_ORIGINAL = '''
def summarize(orders, tax_rate):
    totals = {}
    for order in orders:
        cust = order.customer.strip().lower()
        amount = order.quantity * order.unit_price
        if order.discount:
            amount = amount - amount * order.discount
        totals[cust] = totals.get(cust, 0) + amount * (1 + tax_rate)
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return [(name, round(value, 2)) for name, value in ranked[:10]]
'''

PY_LAYOUT = '''
# A comment that was not there before.
def summarize(orders, tax_rate):
    totals = {}   # running totals
    for order in orders:
        cust = order.customer.strip().lower()

        amount = order.quantity * order.unit_price
        if order.discount:
            amount = amount - amount * order.discount  # apply the discount
        totals[cust] = totals.get(cust, 0) + amount * (1 + tax_rate)
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return [(name, round(value, 2)) for name, value in ranked[:10]]
'''

PY_RENAMED = '''
def rank_customers(purchases, vat):
    sums = {}
    for p in purchases:
        who = p.customer.strip().lower()
        cost = p.quantity * p.unit_price
        if p.discount:
            cost = cost - cost * p.discount
        sums[who] = sums.get(who, 1) + cost * (2 + vat)
    top = sorted(sums.items(), key=lambda item: item[1], reverse=True)
    return [(who2, round(total, 3)) for who2, total in top[:20]]
'''

PY_NEAR = '''
def summarize_orders(orders, tax_rate, limit=10):
    totals = {}
    for order in orders:
        cust = order.customer.strip().lower()
        amount = order.quantity * order.unit_price
        if order.discount:
            amount = amount - amount * order.discount
        if amount <= 0:
            continue
        totals[cust] = totals.get(cust, 0) + amount * (1 + tax_rate)
    ranked = sorted(totals.items(), key=lambda kv: kv[1], reverse=True)
    return [(name, round(value, 2)) for name, value in ranked[:limit]]
'''

# Same shape as PY_ORIGINAL token for token, but every name plays one role: not a copy.
PY_SAME_SHAPE = '''
def summarize(orders, tax_rate):
    orders = {}
    for orders in orders:
        orders = orders.customer.strip().lower()
        orders = orders.quantity * orders.unit_price
        if orders.discount:
            orders = orders - orders * orders.discount
        orders[orders] = orders.get(orders, 0) + orders * (1 + orders)
    orders = sorted(orders.items(), key=lambda orders: orders[1], reverse=True)
    return [(orders, round(orders, 2)) for orders, orders in orders[:10]]
'''

JAVA = '''
package shop;

public class Billing {
    public double total(java.util.List<Item> items, double rate) {
        double sum = 0;
        for (Item item : items) {
            double price = item.getPrice() * item.getCount();
            if (item.isDiscounted()) {
                price = price * 0.9;
            }
            sum += price;
        }
        return Math.round(sum * (1 + rate) * 100) / 100.0;
    }
}
'''

C_SRC = '''
#include <string.h>

int count_words(const char *text, int limit) {
    int words = 0;
    int in_word = 0;
    for (int i = 0; text[i] != '\\0' && i < limit; i++) {
        if (text[i] == ' ' || text[i] == '\\n' || text[i] == '\\t') {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    return words;
}
'''

JS_SRC = '''
export function groupBy(items, keyFn) {
  const groups = new Map();
  for (const item of items) {
    const key = keyFn(item);
    if (!groups.has(key)) {
      groups.set(key, []);
    }
    groups.get(key).push(item);
  }
  return Array.from(groups.entries()).sort((a, b) => b[1].length - a[1].length);
}
'''


_BLOCK = "\n".join(f"        {line}" for line in [
    "key = order.customer.strip().lower()",
    "amount = order.quantity * order.unit_price",
    "if order.discount:",
    "    amount = amount - amount * order.discount",
    "totals[key] = totals.get(key, 0) + amount * (1 + tax_rate)",
    "log.append((key, amount, order.placed_at.isoformat()))",
    "seen.add(order.identifier)",
])
# Two otherwise different functions around one copied block (lines 5-11 and 6-12).
FRAGMENT_ONE = ("def first(orders, tax_rate, log, seen):\n    totals = {}\n    started = clock()\n"
                "    for order in orders:\n" + _BLOCK + "\n    report(started, len(totals))\n"
                "    return sorted(totals)\n")
FRAGMENT_TWO = ("def second(batch, tax_rate, log, seen, limit):\n    if not batch:\n"
                "        raise ValueError('empty batch')\n    totals = dict()\n"
                "    for order in batch[:limit]:\n" + _BLOCK + "\n    notify(totals, channel='x')\n"
                "    cleanup(batch)\n    return totals\n")


# One snippet per grammar: a comment holding WORD, a call, an identifier and a string.
WORD = "zqxcommentword"
SNIPPETS: dict[str, str] = {
    "python": f"# {WORD}\nx = run('s')  # {WORD}\n",
    "javascript": f"// {WORD}\n/* {WORD} */ let x = run('s');\n",
    "typescript": f"// {WORD}\nlet x: number = run('s'); /* {WORD} */\n",
    "tsx": f"// {WORD}\nconst x = <A b={{run('s')}} />; /* {WORD} */\n",
    "java": f"/** {WORD} */\nclass A {{ int x = run(\"s\"); // {WORD}\n}}\n",
    "c": f"/* {WORD} */\nint x = run(\"s\"); // {WORD}\n",
    "cpp": f"// {WORD}\nauto x = run(\"s\"); /* {WORD} */\n",
    "csharp": f"// {WORD}\nclass A {{ int x = run(\"s\"); /* {WORD} */ }}\n",
    "go": f"// {WORD}\npackage main\nvar x = run(\"s\") /* {WORD} */\n",
    "rust": f"/// {WORD}\nfn f() {{ let x = run(\"s\"); /* {WORD} */ }}\n",
    "php": f"<?php\n// {WORD}\n$x = run('s'); # {WORD}\n/* {WORD} */\n",
    "ruby": f"# {WORD}\nx = run('s') # {WORD}\n=begin\n{WORD}\n=end\n",
    "bash": f"# {WORD}\nx=$(run 's') # {WORD}\n",
}
