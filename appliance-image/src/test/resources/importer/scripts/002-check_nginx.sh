    #!/bin/bash
    nginxpid=`ps -C nginx --no-header | wc -l`
    if [ $nginxpid -eq 0 ];then
        systemctl restart nginx
        sleep 2
        echo "$(date): systemctl restart nginx" >> /etc/keepalived/check_nginx.log
        nginxpid=`ps -C nginx --no-header | wc -l`
        if [ $nginxpid -eq 0 ];then
            killall keepalived
            echo "$(date): killall keepalived" >> /etc/keepalived/check_nginx.log
        fi
    fi
    
